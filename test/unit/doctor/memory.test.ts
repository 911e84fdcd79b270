import { afterAll, describe, expect, it } from 'vitest';
import { checkMemory, pageSizeKb } from '../../../src/doctor/checks-memory.js';
import { byId, conf, fixtureView, removeFixtureCopies, states } from './fixture-host.js';

afterAll(removeFixtureCopies);

const memory = (lines: string, vmRunning = false, fixture = 'memory') =>
  checkMemory(conf(lines), fixtureView(fixture).view, { vmRunning });

describe('hugetlbfs guest memory', () => {
  it('a hugetlbfs mount with enough free 2 MiB pages (free minus reserved) passes', () => {
    const results = memory('MEM=1024M');
    expect(states(results)).toEqual({ 'hugepages-mount': 'ok', 'hugepages-size': 'ok', 'hugepages-free': 'ok' });
    expect(byId(results, 'hugepages-size').message).toBe('2048 kB pages; MEM=1024M takes 512 of them');
    expect(byId(results, 'hugepages-free').message).toBe('512 free on this host; the guest needs 512');
  });

  it('too few free pages fails, with the number to write to nr_hugepages', () => {
    const r = byId(memory('MEM=1100M'), 'hugepages-free');
    expect(r.state).toBe('fail');
    expect(r.message).toContain('only 512 hugepages of 2048 kB are free on this host, the guest needs 550');
    expect(r.fix).toBe('echo 638 > /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages');
  });

  it.each([
    ['NUMA_NODE=0\nMEM=1000M', 'fail', 'only 100 hugepages of 2048 kB are free on NUMA node 0'],
    ['NUMA_NODE=1\nMEM=1000M', 'ok', '500 free on NUMA node 1; the guest needs 500'],
    ['NUMA_NODE=2\nMEM=1000M', 'ok', '512 free on this host'],
  ])('counts the pages of the NUMA node: %s', (lines, state, text) => {
    const r = byId(memory(lines), 'hugepages-free');
    expect(r.state).toBe(state);
    expect(r.message).toContain(text);
  });

  it('a folder that is not a hugetlbfs mount fails: QEMU would use plain files', () => {
    const [r] = memory('HUGEPAGES_FS=/srv/plain');
    expect(r).toMatchObject({ id: 'hugepages-mount', state: 'fail', key: 'HUGEPAGES_FS' });
    expect(r!.message).toContain('/srv/plain is not a hugetlbfs mount (it is ext4)');
    expect(r!.fix).toContain('mount -t hugetlbfs nodev /srv/plain');
  });

  it('the old key name is the one named', () => {
    expect(memory('HUGEPAGESTLB_FS=/srv/none')[0]).toMatchObject({ state: 'fail', key: 'HUGEPAGESTLB_FS' });
  });

  it('takes the page size from pagesize= (mount points with spaces unescaped); MEM must be whole pages', () => {
    const bad = byId(memory('HUGEPAGES_FS="/mnt/huge 1g"\nMEM=1536M'), 'hugepages-size');
    expect(bad.state).toBe('fail');
    expect(bad.message).toBe('MEM=1536M is not a whole number of 1048576 kB pages: QEMU refuses it');
    expect(bad.fix).toBe('set MEM to a multiple of 1024M');
    const free = byId(memory('HUGEPAGES_FS="/mnt/huge 1g"\nMEM=2G'), 'hugepages-free');
    expect(free.state).toBe('fail');
    expect(free.message).toContain('no pool of 1048576 kB hugepages');
  });

  it('while the VM runs, its own pages are not counted against it', () => {
    expect(byId(memory('MEM=1100M', true), 'hugepages-free').state).toBe('skip');
  });

  it('reads hugetlbfs page sizes', () => {
    expect([pageSizeKb('2M'), pageSizeKb('1G'), pageSizeKb('2048k'), pageSizeKb('2048'), pageSizeKb('big')]).toEqual([
      2048,
      1048576,
      2048,
      2048,
      undefined,
    ]);
  });
});

describe('memfd guest memory', () => {
  it('passes on a kernel with memfd, fails on one without', () => {
    expect(memory('MEM_BACKEND=memfd')).toMatchObject([{ id: 'memfd', state: 'ok' }]);
    expect(memory('MEM_BACKEND=memfd', false, 'old-kernel')).toMatchObject([{ id: 'memfd', state: 'fail' }]);
  });
});
