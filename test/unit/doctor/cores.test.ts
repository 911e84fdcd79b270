import { afterAll, describe, expect, it } from 'vitest';
import { checkCores, coreRoles } from '../../../src/doctor/checks-cores.js';
import { byId, conf, fixtureView, removeFixtureCopies } from './fixture-host.js';

afterAll(removeFixtureCopies);

// The fixture host: cores 0-7 online, 2-5 isolated, 2 and 3 hyperthread siblings, node0 0-3, node1 4-7.
// MINIMAL puts snabbnfv on cores 1 and 2, busy-waiting (the default).
const cores = (lines: string) => checkCores(conf(lines), fixtureView('cores').view);

/** [check id, config lines, state, part of the message] */
const CASES: [string, string, string, string][] = [
  ['cores-online', 'QEMU_VCPU_CORES=4\nQEMU_EMULATOR_CORES=7', 'ok', 'every configured core is online (online: 0-7)'],
  [
    'cores-online',
    'SNABBNFV_CORE2=9\nQEMU_CORE=8',
    'fail',
    'not online here: SNABBNFV_CORE2: core 9, QEMU_CORE: core 8 (online: 0-7)',
  ],
  ['cores-numa', 'NUMA_NODE=0\nQEMU_CORE=3', 'ok', 'every configured core is on node 0 (0-3)'],
  [
    'cores-numa',
    'NUMA_NODE=1\nSNABBNFV_CORE1=4\nSNABBNFV_CORE2=5\nQEMU_VCPU_CORES=2',
    'warn',
    'memory is bound to node 1 (numactl -m 1), but QEMU vCPUs on core 2 runs on another node',
  ],
  ['cores-numa', 'NUMA_NODE=3', 'fail', 'NUMA node 3 does not exist here (nodes: node0, node1)'],
  ['cores-qemu-pinned', 'QEMU_CORE=6', 'ok', "vCPUs on core 6, QEMU's other threads on core 6"],
  ['cores-qemu-pinned', '', 'warn', "QEMU's vCPUs are not pinned"],
  [
    'cores-isolated',
    'SNABBNFV_CORE1=2\nSNABBNFV_CORE2=4\nQEMU_VCPU_CORES=5',
    'ok',
    'the busy cores 2,4-5 are isolated',
  ],
  ['cores-isolated', 'QEMU_VCPU_CORES=6', 'warn', 'cores 1,6 run busy-waiting snabbnfv or vCPUs but are not isolated'],
  ['cores-isolated', 'SNABBNFV_BUSYWAIT=no', 'skip', 'nothing busy-waits'],
  ['cores-overlap', 'QEMU_VCPU_CORES=4\nQEMU_EMULATOR_CORES=0', 'ok', 'no busy process shares its core'],
  [
    'cores-overlap',
    'SNABBNFV_CORE2=1',
    'fail',
    'core 1 runs snabbnfv port 1 (busy-waiting) and snabbnfv port 2 (busy-waiting)',
  ],
  ['cores-overlap', 'QEMU_VCPU_CORES=2', 'fail', 'core 2 runs snabbnfv port 2 (busy-waiting) and QEMU vCPUs'],
  [
    'cores-overlap',
    'SNABBNFV_CORE2=1\nQEMU_CORE=1',
    'fail',
    "core 1 runs snabbnfv port 1 (busy-waiting), snabbnfv port 2 (busy-waiting), QEMU vCPUs and QEMU's other threads",
  ],
  ['cores-overlap', 'QEMU_CORE=4', 'warn', "core 4 runs QEMU vCPUs and QEMU's other threads"],
  [
    'cores-overlap',
    'QEMU_VCPU_CORES=4\nQEMU_EMULATOR_CORES=1',
    'warn',
    "core 1 runs snabbnfv port 1 (busy-waiting) and QEMU's other threads",
  ],
  [
    'cores-overlap',
    'SNABBNFV_BUSYWAIT=no\nSNABBNFV_CORE2=1\nQEMU_VCPU_CORES=4\nQEMU_EMULATOR_CORES=1',
    'ok',
    'no busy process shares',
  ],
  [
    'cores-siblings',
    'SNABBNFV_CORE1=2\nSNABBNFV_CORE2=3',
    'warn',
    'cores 2 and 3 are hyperthreads of one physical core',
  ],
  [
    'cores-siblings',
    'SNABBNFV_CORE1=4\nSNABBNFV_CORE2=5\nQEMU_VCPU_CORES=2',
    'ok',
    'the busy cores 2,4-5 are on different physical cores',
  ],
  ['cores-siblings', 'SNABBNFV_BUSYWAIT=no', 'skip', 'fewer than two busy-waiting cores'],
];

describe('cores', () => {
  it.each(CASES)('%s with %j → %s', (id, lines, state, text) => {
    const r = byId(cores(lines), id);
    expect(r.state).toBe(state);
    expect(r.message).toContain(text);
    if (state === 'fail' || state === 'warn') expect(r.fix).toBeTruthy();
  });

  it('QEMU_VCPU_CORES and QEMU_EMULATOR_CORES override QEMU_CORE for their threads', () => {
    const roles = coreRoles(conf('QEMU_CORE=3\nQEMU_VCPU_CORES=4-5'));
    expect(roles.filter((r) => r.kind !== 'snabbnfv')).toEqual([
      { name: 'QEMU vCPUs', key: 'QEMU_VCPU_CORES', cores: [4, 5], busy: true, kind: 'vcpu' },
      { name: "QEMU's other threads", key: 'QEMU_CORE', cores: [3], busy: false, kind: 'emulator' },
    ]);
  });
});
