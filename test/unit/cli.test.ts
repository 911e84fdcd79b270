import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseArgs } from '../../src/cli/parse-args.js';
import { UsageError } from '../../src/errors.js';
import { processesMentioning } from '../helpers/lab.js';
import { runCli } from '../helpers/run-cli.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lwaftrctl-cli-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const conf = path.join(dir, 'lwaftrctl.conf');
fs.writeFileSync(
  conf,
  `SNABB_PATH=${dir}/snabb\nSNABBNFV_PCI1=soft\nSNABBNFV_CONF1=a.cfg\nSNABBNFV_CORE1=0\nSNABBNFV_PCI2=soft\nSNABBNFV_CONF2=b.cfg\nSNABBNFV_CORE2=0\nBZ_IMAGE=bzImage\nQEMU_ACCEL=tcg\nQEMU_CPU=max\nSTATE_DIR=${dir}/state\n`,
);

/** What the words parse to, or the usage error they give. */
function parsed(args: string[]): unknown {
  try {
    const i = parseArgs(args, '9.9.9');
    return i.kind === 'print' ? { kind: 'print' } : i;
  } catch (err) {
    if (err instanceof UsageError) return `usage: ${err.message.split('\n')[0]}`;
    throw err;
  }
}

describe('parsing the words (no process per case)', () => {
  it.each<[string[], unknown]>([
    [['vm', 'start'], { kind: 'action', component: 'vm', action: 'start', options: {} }],
    [['start', 'vm'], { kind: 'action', component: 'vm', action: 'start', options: {} }],
    [
      ['-f', 'x.conf', 'all', 'stop'],
      { kind: 'action', component: 'all', action: 'stop', options: { file: 'x.conf' } },
    ],
    [
      ['all', 'stop', '-f', 'x.conf'],
      { kind: 'action', component: 'all', action: 'stop', options: { file: 'x.conf' } },
    ],
    [
      ['--dry-run', '--json', 'restart', 'lwaftr'],
      { kind: 'action', component: 'lwaftr', action: 'restart', options: { dryRun: true, json: true } },
    ],
    [['vm', 'stop', '--force'], { kind: 'action', component: 'vm', action: 'stop', options: { force: true } }],
    [
      ['-v', 'snabbnfv', 'start'],
      { kind: 'action', component: 'snabbnfv', action: 'start', options: { verbose: true } },
    ],
    [['-q', 'snabbnfv', 'start'], { kind: 'action', component: 'snabbnfv', action: 'start', options: { quiet: true } }],
    [['status'], { kind: 'status', component: 'all', options: {} }],
    [['status', 'vm', '--json'], { kind: 'status', component: 'vm', options: { json: true } }],
    [['--help'], { kind: 'print' }],
    [['help'], { kind: 'print' }],
    [['help', 'vm'], { kind: 'print' }],
    [['-V'], { kind: 'print' }],
    [
      ['--config', 'x.conf', 'vm', 'start'],
      { kind: 'action', component: 'vm', action: 'start', options: { file: 'x.conf' } },
    ],
    [['start', 'vn'], 'usage: unknown component "vn" (did you mean vm?); components: snabbnfv, vm, lwaftr, all'],
    [['vm', '--help'], { kind: 'print' }],
    [['--version'], { kind: 'print' }],
    [['start', 'vmm'], 'usage: unknown component "vmm" (did you mean vm?); components: snabbnfv, vm, lwaftr, all'],
    [['vm', 'strat'], 'usage: unknown action "strat" (did you mean start?); actions: start, stop, restart'],
    [
      ['status', 'lwafr'],
      'usage: unknown component "lwafr" (did you mean lwaftr?); components: snabbnfv, vm, lwaftr, all',
    ],
    [['frob', 'start'], "usage: unknown command 'frob'"],
    [['--frobnicate', 'vm', 'start'], "usage: unknown option '--frobnicate'"],
    [['vm'], "usage: missing required argument 'action'"],
    [[], 'usage: nothing to do: give a component and an action, or status'],
  ])('%j', (args, expected) => {
    expect(parsed(args)).toEqual(expected);
  });

  it('--version prints the version', () => {
    expect(parseArgs(['--version'], '9.9.9')).toEqual({ kind: 'print', text: '9.9.9\n' });
  });

  it("every command's help lists the options that apply, the default config file and root", () => {
    for (const words of [
      ['vm', '--help'],
      ['help', 'status'],
      ['start', '--help'],
    ]) {
      const help = (parseArgs(words, '9.9.9') as { text: string }).text;
      for (const option of ['-f, --file <conf>', '--dry-run', '--json', '--force'])
        expect(help, words.join(' ')).toContain(option);
      expect(help).toContain('./lwaftrctl.conf');
      expect(help).toContain('need root');
    }
  });
});

describe('the CLI as a process', () => {
  it('the dry run touches nothing: no state folder, no socket, no process, no file beside the config', async () => {
    const before = fs.readdirSync(dir);
    const r = await runCli(['-f', conf, '--dry-run', 'all', 'start']);
    expect(r.code).toBe(0);
    expect(fs.readdirSync(dir)).toEqual(before);
    expect(processesMentioning(dir)).toEqual([]);
    expect(fs.readFileSync('/proc/net/unix', 'utf8')).not.toContain(dir);
  });

  it('both word orders give the same dry run', async () => {
    const a = await runCli(['-f', conf, '--dry-run', 'vm', 'start']);
    const b = await runCli(['--dry-run', 'start', 'vm', '-f', conf]);
    expect(a.code).toBe(0);
    expect(b).toEqual(a);
  });

  it('--json prints the plan as one JSON document', async () => {
    const r = await runCli(['-f', conf, '--dry-run', '--json', 'all', 'restart']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.plans.map((p: { component: string; action: string }) => `${p.component}:${p.action}`)).toEqual([
      'lwaftr:stop',
      'vm:stop',
      'snabbnfv:stop',
      'snabbnfv:start',
      'vm:start',
      'lwaftr:start',
    ]);
    expect(doc.plans[3].steps[3].argv[0]).toBe('screen');
    expect(doc.refusals.length).toBeGreaterThan(0);
  });

  it('reads ./lwaftrctl.conf when -f is not given', async () => {
    expect((await runCli(['--dry-run', 'vm', 'start'], { cwd: dir })).code).toBe(0);
  });

  it('a usage error exits 2 with the usage hint', async () => {
    const r = await runCli(['-f', conf, 'start', 'vmm']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'lwaftrctl: unknown component "vmm" (did you mean vm?); components: snabbnfv, vm, lwaftr, all\nRun lwaftrctl --help for usage.',
    );
  });

  it('a missing config file names the path tried and exits 6', async () => {
    const r = await runCli(['--dry-run', 'all', 'start'], { cwd: os.tmpdir() });
    expect(r.code).toBe(6);
    expect(r.stderr).toContain(path.join(os.tmpdir(), 'lwaftrctl.conf'));
  });

  it('a broken config prints every problem with file:line and exits 6 without running anything', async () => {
    const bad = path.join(dir, 'bad.conf');
    fs.writeFileSync(bad, `${fs.readFileSync(conf, 'utf8')}MEM=lots\nNAME=a;b\nNAMEE=1\nSTATE_DIR=/tmp/$(reboot)\n`);
    const r = await runCli(['-f', bad, 'all', 'start']);
    expect(r.code).toBe(6);
    expect(r.stderr).toContain(`${bad}:12: MEM:`);
    expect(r.stderr).toContain(`${bad}:13: NAME:`);
    expect(r.stderr).toContain(`${bad}:14: NAMEE: unknown key; did you mean NAME?`);
    expect(r.stderr).toContain(`${bad}:15: STATE_DIR: $(...)`);
  });

  it('--help and --version exit 0', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Exit codes');
    expect((await runCli(['--version'])).stdout).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('the words of the commands for scripts and terminals', () => {
  it.each<[string[], unknown]>([
    [['wait', 'vm', 'running'], { kind: 'wait', component: 'vm', state: 'running', options: { timeout: 300 } }],
    [
      ['-f', 'x.conf', 'wait', 'all', 'stopped', '--timeout', '60', '--json'],
      { kind: 'wait', component: 'all', state: 'stopped', options: { file: 'x.conf', timeout: 60, json: true } },
    ],
    [['wait', 'vm', 'runing'], 'usage: unknown state "runing" (did you mean running?); states: running, stopped'],
    [['wait', 'vm', 'running', '--timeout', '1m'], 'usage: --timeout wants a whole number, not "1m"'],
    [['wait', 'vm'], "usage: missing required argument 'state'"],
    [['status', '--watch'], { kind: 'status', component: 'all', options: { watch: true } }],
    [['logs'], { kind: 'logs', source: 'all', options: { lines: 20 } }],
    // After logs, -f is --follow (as tail -f); before it, the config file.
    [
      ['-f', 'x.conf', 'logs', 'vm', '-f', '-n', '5'],
      { kind: 'logs', source: 'vm', options: { file: 'x.conf', follow: true, lines: 5 } },
    ],
    [
      ['logs', '--file', 'x.conf', 'lwaftrctl'],
      { kind: 'logs', source: 'lwaftrctl', options: { file: 'x.conf', lines: 20 } },
    ],
    [['logs', 'qemu'], 'usage: unknown log source "qemu"; log sources: snabbnfv, vm, lwaftr, lwaftrctl, all'],
    [
      ['--json', 'logs'],
      'usage: logs has no --json output (it prints what it shows as it comes); run it without --json',
    ],
    [['ssh'], { kind: 'ssh', command: [], options: {} }],
    // Nothing after -- is an option of lwaftrctl's, not even -f or --events=.
    [
      ['-f', 'x.conf', 'ssh', '--', 'ls', '-f', '--events=x', 'a b'],
      { kind: 'ssh', command: ['ls', '-f', '--events=x', 'a b'], options: { file: 'x.conf' } },
    ],
    [['console'], { kind: 'console', options: {} }],
    [['attach', 'snabbnfv', '2'], { kind: 'attach', component: 'snabbnfv', port: 2, options: {} }],
    [['attach', 'snabbnfv', '3'], 'usage: no snabbnfv port "3": its ports are 1 and 2'],
    [
      ['attach', 'vm', '1'],
      'usage: only snabbnfv runs in screen sessions, not "vm": lwaftrctl console or ssh reach the VM',
    ],
    [['list', '--json'], { kind: 'list', options: { json: true } }],
    [['completion', 'zsh'], { kind: 'completion', shell: 'zsh', options: {} }],
    [['completion', 'powershell'], 'usage: unknown shell "powershell"; shells: bash, zsh, fish'],
    [
      ['--events=/tmp/e.ndjson', 'wait', 'vm', 'running'],
      {
        kind: 'wait',
        component: 'vm',
        state: 'running',
        options: { events: '/tmp/e.ndjson', timeout: 300 },
      },
    ],
  ])('%j', (args, expected) => {
    expect(parsed(args)).toEqual(expected);
  });
});
