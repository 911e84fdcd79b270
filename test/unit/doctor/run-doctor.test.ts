import { afterAll, describe, expect, it } from 'vitest';
import { formatDoctorTable } from '../../../src/doctor/format.js';
import { runDoctor } from '../../../src/doctor/run-doctor.js';
import type { CheckResult } from '../../../src/doctor/types.js';
import { conf, fixtureView, QEMU_7_2, removeFixtureCopies, scriptedRun } from './fixture-host.js';

afterAll(removeFixtureCopies);

const HOST = ['programs', 'kvm', 'memory', 'cores', 'nics', 'vhost', 'snabb-2017', 'ssh'];
const LINES =
  'SNABBNFV_CONF1=/etc/lwaftr/a.cfg\nSNABBNFV_CONF2=/etc/lwaftr/b.cfg\nSNABBNFV_CORE1=2\nSNABBNFV_CORE2=4\n' +
  'QEMU_VCPU_CORES=5\nQEMU_EMULATOR_CORES=0\nSHARED_LOCATION=/opt\nLWAFTR_CONF=/mnt/host/lwaftr.conf\n' +
  'MEM=2G\nGUEST_HUGEPAGES=512\n' +
  'NETSCRIPT=/etc/netscript\nVM_SSH_KEY=/keys/id_ed25519';

describe('runDoctor', () => {
  it('gives each check once, with a stable kebab-case id, host first, then snabbnfv, vm and lwaftr', async () => {
    const results = await runDoctor(conf(LINES), fixtureView(HOST, { run: scriptedRun(QEMU_7_2) }).view);
    const ids = results.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    const order = ['host', 'snabbnfv', 'vm', 'lwaftr'];
    const ranks = results.map((r) => order.indexOf(r.component));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(ids).toEqual(
      expect.arrayContaining([
        'root',
        'program-snabb',
        'qemu-version',
        'kvm-device',
        'kvm-probe',
        'hugepages-free',
        'cores-overlap',
        'nic-present-1',
        'iommu',
        'socket-path-2',
        'port-file-2',
        'snabbnfv-set-vring-err',
        'lwaftr-virtio-loop',
        'ssh-key',
      ]),
    );
  });

  it('every problem comes with its evidence and its fix', async () => {
    const results = await runDoctor(conf(LINES), fixtureView(HOST, { run: scriptedRun(QEMU_7_2) }).view);
    const problems = results.filter((r) => r.state === 'fail' || r.state === 'warn');
    expect(problems.map((r) => r.id)).toEqual(
      expect.arrayContaining(['snabbnfv-needs-2018-09', 'snabbnfv-set-vring-err', 'nic-in-use-2']),
    );
    for (const r of problems) {
      expect(r.fix, r.id).toBeTruthy();
      expect(r.evidence.length, r.id).toBeGreaterThan(0);
    }
  });

  it('runs the KVM probe only when asked', async () => {
    const run = scriptedRun(QEMU_7_2);
    const view = fixtureView(HOST, { run }).view;
    await runDoctor(conf(LINES), view);
    expect(run.calls.filter((c) => c.includes('accel=kvm'))).toEqual([]);
    const probed = await runDoctor(conf(LINES), view, { kvmProbe: true });
    expect(run.calls.filter((c) => c.includes('accel=kvm'))).toHaveLength(1);
    expect(probed.find((r) => r.id === 'kvm-probe')?.state).toBe('fail');
  });
});

describe('formatDoctorTable', () => {
  const results: CheckResult[] = [
    { id: 'root', component: 'host', title: 'running as root', state: 'ok', evidence: [], message: 'running as root' },
    {
      id: 'port-file-1',
      component: 'snabbnfv',
      title: 'port 1 port file',
      state: 'fail',
      evidence: [],
      key: 'SNABBNFV_CONF1',
      message: 'its mac_address 52:54:00:00:00:99 is not SNABBNFV_MAC1',
      fix: 'set mac_address = "52:54:00:00:00:01" in a.cfg',
    },
    {
      id: 'kvm-probe',
      component: 'vm',
      title: 'KVM runs a guest',
      state: 'skip',
      evidence: [],
      message: 'not run',
      fix: 'unused',
    },
  ];

  it('one line per check, its fix below; a count at the end', () => {
    expect(formatDoctorTable(results)).toBe(
      'OK    host      running as root   — running as root\n' +
        'FAIL  snabbnfv  port 1 port file  — ' +
        'its mac_address 52:54:00:00:00:99 is not SNABBNFV_MAC1 [SNABBNFV_CONF1]\n' +
        '                fix: set mac_address = "52:54:00:00:00:01" in a.cfg\n' +
        'SKIP  vm        KVM runs a guest  — not run\n' +
        '1 ok, 0 warnings, 1 failed, 1 skipped\n',
    );
  });
});
