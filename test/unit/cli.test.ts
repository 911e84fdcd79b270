import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { ACTIONS, actionPlan, COMPONENTS } from '../../src/plan/action-plan.js';
import { renderPlans } from '../../src/plan/render-plan.js';
import { runCli } from '../helpers/run-cli.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lwaftrctl-cli-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const conf = path.join(dir, 'lwaftrctl.conf');
fs.writeFileSync(
  conf,
  `SNABB_PATH=${dir}/snabb\nSNABBNFV_PCI1=soft\nSNABBNFV_CONF1=a.cfg\nSNABBNFV_CORE1=0\nSNABBNFV_PCI2=soft\nSNABBNFV_CONF2=b.cfg\nSNABBNFV_CORE2=0\nBZ_IMAGE=bzImage\nQEMU_ACCEL=tcg\nQEMU_CPU=max\nSTATE_DIR=${dir}/state\n`,
);

describe('dry run', () => {
  for (const component of COMPONENTS)
    for (const action of ACTIONS)
      it(`${component} ${action}: both word orders print what the plan says`, async () => {
        const a = await runCli(['-f', conf, '--dry-run', component, action]);
        const b = await runCli(['--dry-run', action, component, '-f', conf]);
        expect(a.code).toBe(0);
        expect(b).toEqual(a);
        const { config } = loadConfig({ file: conf, cwd: dir, env: process.env, hostChecksAreWarnings: true });
        expect(a.stdout).toContain(renderPlans(actionPlan(config, component, action)).join('\n'));
      });

  it('touches nothing: no state folder, no socket, no process', async () => {
    await runCli(['-f', conf, '--dry-run', 'all', 'start']);
    expect(fs.existsSync(path.join(dir, 'state'))).toBe(false);
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
    expect(doc.warnings.length).toBeGreaterThan(0);
  });

  it('reads ./lwaftrctl.conf when -f is not given', async () => {
    expect((await runCli(['--dry-run', 'vm', 'start'], { cwd: dir })).code).toBe(0);
  });

  it('a 2015-era operator file prints screen, taskset, snabbnfv, QEMU and SSH steps in order', async () => {
    const r = await runCli(
      ['-f', path.join(__dirname, '..', 'fixtures', 'lwaftrctl-2015.conf'), '--dry-run', 'all', 'start'],
      { env: { HOME: '/home/op' } },
    );
    expect(r.code).toBe(0);
    const order = [
      'screen -c',
      'taskset -c 1 /home/op/workspace/snabb_host/src/snabb snabbnfv traffic -b 0000:02:00.0',
      'qemu-system-x86_64 -name lwaftr1',
      'ssh -p 22 -i /home/op/.ssh/lwaftr_vm',
    ];
    const positions = order.map((s) => r.stdout.indexOf(s));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((x, y) => x - y)).toEqual(positions);
  });
});

describe('usage and config errors', () => {
  it.each([
    [['-f', conf, 'start', 'vmm'], 'unknown component "vmm" (did you mean vm?)'],
    [['-f', conf, 'vm', 'strat'], 'unknown action "strat" (did you mean start?)'],
    [['-f', conf, 'frob', 'start'], "unknown command 'frob'"],
    [['-f', conf, '--frobnicate', 'vm', 'start'], "unknown option '--frobnicate'"],
    [['-f', conf, 'vm'], "missing required argument 'action'"],
  ])('%j exits 2 with a usage error', async (args, message) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });

  it('no words at all is a usage error', async () => {
    expect((await runCli([])).code).toBe(2);
  });

  it('a missing config file names the path tried and exits 6', async () => {
    const r = await runCli(['--dry-run', 'all', 'start'], { cwd: os.tmpdir() });
    expect(r.code).toBe(6);
    expect(r.stderr).toContain(path.join(os.tmpdir(), 'lwaftrctl.conf'));
  });

  it('a broken config prints every problem with file:line and exits 6 without running anything', async () => {
    const bad = path.join(dir, 'bad.conf');
    fs.writeFileSync(bad, `${fs.readFileSync(conf, 'utf8')}MEM=lots\nNAME=a;b\nFROB=1\nSTATE_DIR=/tmp/$(reboot)\n`);
    const r = await runCli(['-f', bad, 'all', 'start']);
    expect(r.code).toBe(6);
    expect(r.stderr).toContain(`${bad}:12: MEM:`);
    expect(r.stderr).toContain(`${bad}:13: NAME:`);
    expect(r.stderr).toContain(`${bad}:14: FROB: unknown key`);
    expect(r.stderr).toContain(`${bad}:15: STATE_DIR: $(...)`);
  });

  it('--help and --version exit 0', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Exit codes');
    expect((await runCli(['vm', '--help'])).code).toBe(0);
    expect((await runCli(['--version'])).stdout).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
