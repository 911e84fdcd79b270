// doctor on the lab: it passes as built, names each problem it is shown with its fix, and a start
// refuses what it fails while stop and status still work.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type LabInstance, labInstance, leftovers, NOTHING, requireLab } from '../helpers/lab.js';

requireLab();
const made: LabInstance[] = [];
afterAll(async () => {
  for (const inst of made) await inst.cleanup();
});

function instance(name: string, port: number, extra = ''): LabInstance {
  const inst = labInstance(name, port, extra);
  made.push(inst);
  return inst;
}

type Check = { id: string; state: string; message: string; fix?: string; evidence: { source: string }[] };
async function doctor(inst: LabInstance, ...args: string[]) {
  const r = await inst.cli('--json', 'doctor', ...args);
  return { code: r.code, checks: JSON.parse(r.stdout).checks as Check[], stderr: r.stderr };
}
const byId = (checks: Check[], id: string) => checks.find((c) => c.id === id);

describe('doctor on the lab', () => {
  it('passes as the lab is built, naming each check and what it read', async () => {
    const r = await doctor(instance('dok', 10071));
    expect(r.code).toBe(0);
    expect(r.checks.filter((c) => c.state === 'fail')).toEqual([]);
    for (const id of ['program-screen', 'program-qemu', 'qemu-version', 'file-kernel', 'cores-online', 'port-file-1'])
      expect(byId(r.checks, id)?.state, id).toBe('ok');
    expect(byId(r.checks, 'guest-ssh')?.state).toBe('skip');
    expect(r.checks.every((c) => c.evidence.length > 0 || c.state === 'skip')).toBe(true);
  });

  it('a config with four faults exits 1 naming each with its fix; stop and status still work', async () => {
    const inst = instance(
      'dbad',
      10072,
      [
        'MEM_BACKEND=hugetlbfs',
        'HUGEPAGES_FS=/tmp',
        'QEMU_ACCEL=kvm',
        'SNABBNFV_PCI1=0000:05:00.0',
        'SNABBNFV_BUSYWAIT=yes',
        'SNABBNFV_CORE1=1',
        'SNABBNFV_CORE2=1',
        '',
      ].join('\n'),
    );
    const r = await doctor(inst);
    expect(r.code).toBe(1);
    const failed = r.checks.filter((c) => c.state === 'fail');
    for (const id of ['hugepages-mount', 'kvm-probe', 'nic-present-1', 'cores-overlap']) {
      const c = byId(failed, id);
      expect(c, `${id} fails`).toBeDefined();
      expect(c!.fix, `${id} has a fix`).toBeTruthy();
    }
    expect(byId(failed, 'hugepages-mount')!.message).toContain('/tmp');
    const start = await inst.cli('all', 'start');
    expect(start.code).toBe(6);
    expect(start.stderr).toContain('the host is not ready');
    expect(leftovers(inst.stateDir)).toEqual(NOTHING);
    expect((await inst.cli('all', 'stop')).code).toBe(0);
    const status = await inst.cli('--json', 'status');
    expect(status.code).toBe(3);
    expect(JSON.parse(status.stdout).vm.state).toBe('stopped');
  }, 60_000);

  it('too few hugepages for MEM: fail with the command that reserves them', async () => {
    const r = await doctor(instance('dpages', 10073, 'MEM_BACKEND=hugetlbfs\nHUGEPAGES_FS=/dev/hugepages\nMEM=64G\n'));
    expect(r.code).toBe(1);
    const c = byId(r.checks, 'hugepages-free')!;
    expect(c.state).toBe('fail');
    expect(c.fix).toMatch(/nr_hugepages/);
  });

  it('two busy backends on one core: fail with the fix', async () => {
    const r = await doctor(instance('dbusy', 10074, 'SNABBNFV_BUSYWAIT=yes\n'));
    const c = byId(r.checks, 'cores-overlap')!;
    expect(c.state).toBe('fail');
    expect(c.message).toContain('core 0');
    expect(c.fix).toMatch(/SNABBNFV_CORE/);
  });

  it('screen missing from PATH: fail with the package to install; a start refuses at once', async () => {
    const inst = instance('dpath', 10075);
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'lwaftrctl-path-'));
    for (const p of ['qemu-system-x86_64', 'taskset', 'ip', 'node'])
      fs.symlinkSync(path.join('/usr/bin', p), path.join(bin, p));
    const env = { PATH: bin };
    const r = await inst.cli('--json', 'doctor');
    expect(r.code).toBe(0);
    const { runCli } = await import('../helpers/run-cli.js');
    const without = await runCli(['-f', inst.conf, '--json', 'doctor'], { env });
    const screen = byId(JSON.parse(without.stdout).checks, 'program-screen')!;
    expect([screen.state, screen.fix]).toEqual(['fail', 'apt-get install screen']);
    const start = await runCli(['-f', inst.conf, 'snabbnfv', 'start'], { env });
    expect(start.code).toBe(6);
    expect(start.stderr).toContain('apt-get install screen');
    fs.rmSync(bin, { recursive: true, force: true });
  });
});
