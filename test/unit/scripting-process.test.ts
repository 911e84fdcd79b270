// The commands for scripts as processes, on an instance that is not running (no lab needed):
// wait, status --watch, logs, list, LWAFTRCTL_CONF; every --json document checked against its schema.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { pointerFile } from '../../src/io/instance-registry.js';
import { eventually } from '../helpers/eventually.js';
import { CLI, runCli } from '../helpers/run-cli.js';
import { expectDocument } from '../helpers/schemas.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lwaftrctl-scripting-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const conf = path.join(dir, 'lwaftrctl.conf');
const state = path.join(dir, 'state');
fs.writeFileSync(
  conf,
  `NAME=ccunit\nSNABB_PATH=${dir}/snabb\nSNABBNFV_PCI1=soft\nSNABBNFV_CONF1=a.cfg\nSNABBNFV_CORE1=0\nSNABBNFV_PCI2=soft
SNABBNFV_CONF2=b.cfg\nSNABBNFV_CORE2=0\nBZ_IMAGE=bzImage\nQEMU_ACCEL=tcg\nQEMU_CPU=max\nSTATE_DIR=${state}\n`,
);

/** The CLI as a background process, its stdout and stderr collected as they come. */
function spawnCli(args: string[], env: Record<string, string> = {}) {
  const child = execa('node', [CLI, ...args], {
    reject: false,
    stdin: 'ignore',
    env,
    buffer: { stdout: false, stderr: false },
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return { child, output: () => out, errors: () => err };
}

async function interrupt(child: ResultPromise): Promise<number> {
  child.kill('SIGINT');
  return (await child).exitCode ?? -1;
}

/** A stream of pretty-printed JSON documents (as jq reads them), split into documents. */
function documents(stream: string): string[] {
  return stream.split(/(?<=^\})\n/m).filter((d) => d.trim());
}

describe('wait', () => {
  it('returns 0 at once when the state holds, with the states it saw', async () => {
    const r = await runCli(['-f', conf, '--json', 'wait', 'all', 'stopped']);
    expect(r.code, r.stderr).toBe(0);
    const doc = expectDocument(r.stdout);
    expect(doc).toMatchObject({ command: 'wait', reached: true, polls: 1, timeoutSeconds: 300 });
    expect((doc.last as Record<string, { state: string }>).vm.state).toBe('stopped');
  });

  it('exits 124 on timeout, saying the last state seen; --json: the last states', async () => {
    const began = Date.now();
    const r = await runCli(['-f', conf, 'wait', 'vm', 'running', '--timeout', '2']);
    expect(r.code).toBe(124);
    expect(Date.now() - began).toBeLessThan(5000);
    expect(r.stderr).toContain('timed out after 2 s waiting for vm to be running; last seen: vm stopped');
    const doc = expectDocument(
      (await runCli(['-f', conf, '--json', 'wait', 'vm', 'running', '--timeout', '1'])).stdout,
    );
    expect(doc).toMatchObject({ exitCode: 124, reached: false, last: { snabbnfv: null, lwaftr: null } });
    expect((doc.last as { vm: { state: string } }).vm.state).toBe('stopped');
  });

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s exits %i, still with its one document', async (signal, code) => {
    // The config's warning on stderr: the wait has begun (it prints only once signals are handled).
    const warned = path.join(dir, 'warned.conf');
    fs.writeFileSync(warned, `${fs.readFileSync(conf, 'utf8')}LWAFTR_DELAY=5\n`);
    const { child, output, errors } = spawnCli(['-f', warned, '--json', 'wait', 'vm', 'running', '--timeout', '0']);
    await eventually('the warning on stderr', () => errors().includes('LWAFTR_DELAY'), { every: 20, seen: errors });
    child.kill(signal);
    expect((await child).exitCode, errors()).toBe(code);
    expect(expectDocument(output())).toMatchObject({ exitCode: code, timeoutSeconds: 0, reached: false });
  });

  it('a config problem exits 6 with a wait document', async () => {
    const r = await runCli(['-f', path.join(dir, 'nope.conf'), '--json', 'wait', 'vm', 'stopped']);
    expect(r.code).toBe(6);
    expect(expectDocument(r.stdout)).toMatchObject({ command: 'wait', polls: 0, last: { vm: null } });
  });
});

describe('status --watch', () => {
  it('--events: a state-change line per component, then the result when stopped (exit 0)', async () => {
    const { child, output } = spawnCli(['-f', conf, 'status', '--watch', '--events']);
    await eventually('three state changes', () => output().split('\n').filter(Boolean).length >= 3);
    expect(await interrupt(child)).toBe(0);
    const lines = output()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.slice(0, 3).map((l) => [l.type, l.instance, l.component, l.state, l.was])).toEqual([
      ['state-change', 'ccunit', 'snabbnfv', 'stopped', null],
      ['state-change', 'ccunit', 'vm', 'stopped', null],
      ['state-change', 'ccunit', 'lwaftr', 'stopped', null],
    ]);
    expect(lines.at(-1)).toMatchObject({ type: 'result', command: 'status', exitCode: 0 });
  });

  it('--json: a status document per change, each valid, as jq reads a stream', async () => {
    const { child, output } = spawnCli(['-f', conf, '--json', 'status', 'vm', '--watch']);
    await eventually('a first document', () => output().includes('\n}\n'));
    expect(await interrupt(child)).toBe(0);
    const docs = documents(output());
    expect(docs.length).toBe(2); // the first look, and the one every --json run ends with
    for (const d of docs) expect(expectDocument(d)).toMatchObject({ command: 'status', component: 'vm' });
  });

  it('for people: a line per component with its state', async () => {
    const { child, output } = spawnCli(['-f', conf, 'status', '--watch']);
    await eventually('three lines', () => output().split('\n').length > 3);
    expect(await interrupt(child)).toBe(0);
    expect(output()).toMatch(/^\d\d:\d\d:\d\d snabbnfv stopped\n\d\d:\d\d:\d\d vm {7}stopped\n/);
  });
});

describe('LWAFTRCTL_CONF', () => {
  it('picks the config; -f wins; a file it names that is missing is a config error', async () => {
    const env = { LWAFTRCTL_CONF: conf };
    const viaEnv = expectDocument((await runCli(['--json', 'status'], { env, cwd: os.tmpdir() })).stdout);
    expect(viaEnv.config).toBe(conf);
    const other = path.join(dir, 'other.conf');
    fs.writeFileSync(other, fs.readFileSync(conf, 'utf8').replace('NAME=ccunit', 'NAME=ccother'));
    expect(expectDocument((await runCli(['-f', other, '--json', 'status'], { env })).stdout).instance).toBe('ccother');
    const r = await runCli(['status'], { env: { LWAFTRCTL_CONF: path.join(dir, 'gone.conf') } });
    expect(r.code).toBe(6);
    expect(r.stderr).toContain(`${path.join(dir, 'gone.conf')}: does not exist (named by LWAFTRCTL_CONF)`);
  });
});

describe('logs (local files)', () => {
  it('each source prefixed by its file, the previous boot first when the log is short, -n per source', async () => {
    fs.mkdirSync(state, { recursive: true });
    fs.writeFileSync(path.join(state, 'console.log.1'), 'old 1\nold 2\nold 3\n');
    fs.writeFileSync(path.join(state, 'console.log'), 'new 1\r\nnew 2\n');
    const tool = {
      level: 30,
      time: Date.UTC(2026, 0, 1),
      pid: 7,
      instance: 'ccunit',
      msg: 'run-begin',
      action: 'start',
    };
    fs.writeFileSync(path.join(state, 'lwaftrctl.log'), `${JSON.stringify(tool)}\n`);
    const r = await runCli(['-f', conf, 'logs', '-n', '3']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')).toEqual([
      'console.log.1    | old 3',
      `${'console.log'.padEnd(16)} | new 1`,
      `${'console.log'.padEnd(16)} | new 2`,
      'lwaftrctl.log    | 2026-01-01T00:00:00.000Z [7] run-begin action=start',
    ]);
    expect(r.stderr).toContain('lwaftrctl: guest:lwaftr.log: the VM is not running: no guest log to read');
    expect(r.stderr).toContain(`lwaftrctl: qemu.log: no such file yet (${path.join(state, 'qemu.log')})`);
  });

  it('-f follows the file as it grows, is rotated and truncated; Ctrl-C ends it with 0', async () => {
    const log = path.join(state, 'console.log');
    fs.writeFileSync(log, 'before\n');
    const { child, output } = spawnCli(['-f', conf, 'logs', 'vm', '-f', '-n', '1']);
    await eventually('the last line', () => output().includes('| before'));
    fs.appendFileSync(log, 'grown ');
    fs.appendFileSync(log, 'in two writes\n');
    await eventually('the new line', () => output().includes('| grown in two writes'));
    fs.appendFileSync(log, 'last of the old file\n');
    fs.renameSync(log, `${log}.1`);
    fs.writeFileSync(log, 'first of the new file\n');
    await eventually('the new file', () => output().includes('first of the new file'));
    fs.writeFileSync(log, 'cut\n');
    await eventually('the truncated file', () => output().includes('| cut'));
    expect(await interrupt(child)).toBe(0);
    expect(
      output()
        .split('\n')
        .filter((l) => l.startsWith('console.log ')),
    ).toEqual([
      `${'console.log'.padEnd(13)} | before`,
      `${'console.log'.padEnd(13)} | grown in two writes`,
      `${'console.log'.padEnd(13)} | last of the old file`,
      `${'console.log'.padEnd(13)} | --- a new console.log (the last one is now .1) ---`,
      `${'console.log'.padEnd(13)} | first of the new file`,
      `${'console.log'.padEnd(13)} | --- truncated ---`,
      `${'console.log'.padEnd(13)} | cut`,
    ]);
  });
});

describe('list', () => {
  it("--json: every instance found, each valid (one of the test's own among them); no config of its own", async () => {
    // An instance of the test's own, recorded by a stop: its STATE_DIR is outside /run/lwaftrctl,
    // so list finds it through its pointer.
    const listedConf = path.join(dir, 'listed.conf');
    const listedState = path.join(dir, 'listed-state');
    fs.writeFileSync(
      listedConf,
      fs.readFileSync(conf, 'utf8').replace('NAME=ccunit', 'NAME=cclist').replace(state, listedState),
    );
    const pointer = pointerFile({ name: 'cclist', stateDir: listedState });
    try {
      const stop = await runCli(['-f', listedConf, 'snabbnfv', 'stop']);
      expect(stop.code, stop.stderr).toBe(0);
      const r = await runCli(['--json', 'list']);
      expect(r.code).toBe(0);
      const doc = expectDocument(r.stdout);
      expect(doc).toMatchObject({ command: 'list', config: null, instance: null });
      const listed = (doc.instances as { stateDir: string }[]).filter((i) => i.stateDir === listedState);
      expect(listed).toEqual([
        {
          name: 'cclist',
          stateDir: listedState,
          config: listedConf,
          recordedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
          snabbnfv: expect.objectContaining({ state: 'stopped' }),
          vm: expect.objectContaining({ state: 'stopped' }),
          lwaftr: expect.objectContaining({ state: 'stopped' }),
          note: null,
        },
      ]);
    } finally {
      fs.rmSync(pointer, { force: true });
    }
  });
});
