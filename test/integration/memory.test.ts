// Guest memory, both backends lwaftrctl offers: conf/lab.conf's hugetlbfs (the operator's
// default; ./scripts/setup.sh reserves the pages and mounts HUGEPAGES_FS) and memfd, the
// documented override line. One instance, its VM restarted with each backend while the
// backends keep running, as when an operator edits MEM_BACKEND and restarts the vm.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labInstance, leftovers, NOTHING, REPO, requireLab } from '../helpers/lab.js';

const NAME = 'htmem';
const PORT = 10203;
const hugetlbfs = labInstance(NAME, PORT);
const memfd = labInstance(NAME, PORT, 'MEM_BACKEND=memfd\n');
const HUGEPAGES_FS = /^HUGEPAGES_FS=(.+)$/m.exec(fs.readFileSync(path.join(REPO, 'conf', 'lab.conf'), 'utf8'))![1]!;

/** The mappings of QEMU's guest RAM: smaps entries of 512 MiB (MEM of lab.conf). */
function guestRamMappings(stateDir: string): { path: string; kernelPageKiB: number }[] {
  const pid = fs.readFileSync(path.join(stateDir, 'qemu.pid'), 'utf8').trim();
  const entries = fs.readFileSync(`/proc/${pid}/smaps`, 'utf8').split(/\n(?=[0-9a-f]+-[0-9a-f]+ )/);
  return entries
    .filter((e) => /^Size:\s+524288 kB$/m.test(e))
    .map((e) => ({
      path: e.split('\n')[0]!.split(/\s+/).slice(5).join(' '),
      kernelPageKiB: Number(/^KernelPageSize:\s+(\d+) kB$/m.exec(e)![1]),
    }));
}

/** The host's whole 2 MiB pool: a guest larger than it can never start, whatever other tests free meanwhile. */
function hugepagePool(): number {
  return Number(fs.readFileSync('/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages', 'utf8'));
}

beforeAll(async () => {
  requireLab();
  const r = await hugetlbfs.cli('snabbnfv', 'start');
  expect(r.code, r.stderr).toBe(0);
}, 60_000);

afterAll(async () => {
  await memfd.cleanup();
  await hugetlbfs.cleanup();
}, 120_000);

describe('guest memory', () => {
  it('lab.conf backs the guest RAM with 2 MiB pages from HUGEPAGES_FS', async () => {
    const r = await hugetlbfs.cli('vm', 'start');
    expect(r.code, r.stderr).toBe(0);
    const ram = guestRamMappings(hugetlbfs.stateDir);
    expect(ram).toHaveLength(1);
    expect(ram[0]!.path.startsWith(`${HUGEPAGES_FS}/`)).toBe(true);
    expect(ram[0]!.kernelPageKiB).toBe(2048);
    expect((await hugetlbfs.cli('vm', 'stop')).code).toBe(0);
  }, 90_000);

  it('a hugepage pool too small for MEM: vm start is refused before QEMU runs, with the fix', async () => {
    // More than the whole pool (free pages alone would race with other tests stopping their VMs);
    // at least lab.conf's 512 MiB, so that GUEST_HUGEPAGES still fits in MEM.
    const tooBig = labInstance(NAME, PORT, `MEM=${Math.max(hugepagePool() + 1, 256) * 2}M\n`);
    try {
      const began = Date.now();
      const r = await tooBig.cli('vm', 'start');
      expect(r.code).toBe(6);
      expect(r.stderr).toMatch(/MEM: free hugepages: only \d+ hugepages of 2048 kB are free/);
      expect(r.stderr).toMatch(/fix: .*nr_hugepages/);
      expect(Date.now() - began).toBeLessThan(10_000);
      expect((await tooBig.status()).vm!.state).toBe('stopped');
    } finally {
      // Had it started after all, the memfd test below would find this VM running.
      await tooBig.cli('--force', 'vm', 'stop');
      fs.rmSync(path.dirname(tooBig.conf), { recursive: true, force: true });
    }
  }, 30_000);

  it('MEM_BACKEND=memfd (the override line) starts and stops, its RAM on a memfd', async () => {
    const r = await memfd.cli('vm', 'start');
    expect(r.code, r.stderr).toBe(0);
    const ram = guestRamMappings(memfd.stateDir);
    expect(ram).toHaveLength(1);
    expect(ram[0]!.path).toMatch(/^\/memfd:/);
    expect(ram[0]!.kernelPageKiB).toBe(4);
    expect((await memfd.status()).vm!.state).toBe('running');
    const stop = await memfd.cli('all', 'stop');
    expect(stop.code, stop.stderr).toBe(0);
    expect(leftovers(memfd.stateDir)).toEqual(NOTHING);
  }, 90_000);
});
