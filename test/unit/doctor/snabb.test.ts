import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { QemuFacts } from '../../../src/doctor/checks-qemu.js';
import { checkGuestLwaftrTraps, checkSnabbRelease } from '../../../src/doctor/checks-snabb.js';
import { readSnabbTree } from '../../../src/doctor/snabb-tree.js';
import type { HostView } from '../../../src/doctor/types.js';
import { byId, conf, fixtureView, removeFixtureCopies, scriptedRun } from './fixture-host.js';

afterAll(removeFixtureCopies);

const qemu = (version: string): QemuFacts => ({ version: version.split('.').map(Number), evidence: [] });
const GIT_DESCRIBE = 'git -C /opt/snabb describe --tags --match v20*';

async function release(view: HostView, lines = '', qemuVersion = '7.2.22') {
  const config = conf(lines);
  return checkSnabbRelease(config, await readSnabbTree(config, view), qemu(qemuVersion));
}

async function guest(view: HostView, lines: string, qemuVersion = '7.2.22') {
  const config = conf(lines);
  return checkGuestLwaftrTraps(config, view, await readSnabbTree(config, view), qemu(qemuVersion));
}

describe('the Snabb release on the host', () => {
  it('v2017.11 (from .version): has snabbnfv, but predates QEMU 2.9 and aborts on QEMU 7.1+', async () => {
    const results = await release(fixtureView('snabb-2017').view);
    expect(byId(results, 'snabb-version').message).toContain('Snabb v2017.11 (from .version, which can lag');
    expect(byId(results, 'snabbnfv-in-tree').state).toBe('ok');
    const old = byId(results, 'snabbnfv-needs-2018-09');
    expect(old.state).toBe('fail');
    expect(old.message).toContain('Snabb PR #1369, in v2018.09');
    const err = byId(results, 'snabbnfv-set-vring-err');
    expect(err.state).toBe('fail');
    expect(err.message).toContain('request 14 (SET_VRING_ERR');
  });

  it('v2017.11 with QEMU 2.8 passes both vhost-user traps', async () => {
    const results = await release(fixtureView('snabb-2017').view, '', '2.8.1');
    expect(byId(results, 'snabbnfv-needs-2018-09').state).toBe('ok');
    expect(byId(results, 'snabbnfv-set-vring-err').state).toBe('ok');
  });

  it('v2024.06 (its .version says 2022.07) speaks QEMU 2.9+ but not 7.1+', async () => {
    const results = await release(fixtureView('snabb-2024').view);
    expect(byId(results, 'snabbnfv-needs-2018-09').state).toBe('ok');
    expect(byId(results, 'snabbnfv-set-vring-err').state).toBe('fail');
    expect(byId(await release(fixtureView('snabb-2024').view, '', '7.0.0'), 'snabbnfv-set-vring-err').state).toBe('ok');
  });

  it('a git checkout past v2024.08 has no snabbnfv', async () => {
    const run = scriptedRun({ [GIT_DESCRIBE]: { stdout: 'v2024.08-15-g0123abc\n' } });
    const fixture = fixtureView('snabb-git', { run });
    // git keeps no folder named .git inside a repository: the checkout's is made here.
    fs.mkdirSync(path.join(fixture.root, 'opt', 'snabb', '.git'));
    const results = await release(fixture.view);
    expect(byId(results, 'snabb-version').message).toBe('Snabb v2024.08');
    const gone = byId(results, 'snabbnfv-in-tree');
    expect(gone.state).toBe('fail');
    expect(gone.fix).toContain('git checkout v2024.06');
  });

  it('a source tree without src/program/snabbnfv fails', async () => {
    const { root, view } = fixtureView('snabb-2024');
    fs.rmSync(path.join(root, 'opt/snabb/src/program/snabbnfv'), { recursive: true });
    expect(byId(await release(view), 'snabbnfv-in-tree').message).toContain('this tree has no src/program/snabbnfv');
  });

  it('a tree that tells nothing (a bare snabb program) skips the release traps', async () => {
    const results = await release(fixtureView('programs').view);
    expect(results.map((r) => r.state)).toEqual(['skip', 'skip', 'skip', 'skip']);
  });
});

describe('the guest lwAFTR', () => {
  const BUILTIN = 'SHARED_LOCATION=/opt\nLWAFTR_CONF=/mnt/host/lwaftr.conf\nMEM=2G\nGUEST_HUGEPAGES=512';

  it.each([
    ['snabb-2017', BUILTIN, 'ok', "Snabb v2017.11's lwaftr run --virtio works"],
    [
      'snabb-2024',
      BUILTIN,
      'fail',
      'from v2018.01 on, snabb lwaftr run --virtio calls its own setup again and loops forever',
    ],
    ['snabb-2024', 'LWAFTR_START=~/run_lwaftr.sh', 'skip', 'LWAFTR_START runs your own script'],
    ['snabb-2024', `${BUILTIN}\nSNABB_GUEST_PATH=/opt/snabb-2017/src`, 'skip', 'not visible from the host'],
    ['programs', BUILTIN, 'skip', 'the Snabb release is unknown'],
  ])('lwaftr run --virtio with %s, %j → %s', async (fixture, lines, state, text) => {
    const r = byId(await guest(fixtureView(fixture).view, lines), 'lwaftr-virtio-loop');
    expect(r.state).toBe(state);
    expect(r.message).toContain(text);
  });

  it.each([
    ['', 'ok', 'machine pc: the guest sees legacy-capable NICs'],
    ['QEMU_MACHINE=q35', 'ok', 'q35 keeps NICs on its root bus transitional'],
    ['QEMU_ARGS="-global virtio-pci.disable-legacy=on"', 'fail', 'makes virtio NICs modern-only'],
  ])('transitional data NICs with %j → %s', async (lines, state, text) => {
    const r = byId(await guest(fixtureView('snabb-2017').view, lines), 'virtio-transitional');
    expect(r.state).toBe(state);
    expect(r.message).toContain(text);
  });

  it.each([
    ['MEM=2G\nGUEST_HUGEPAGES=512', 'ok'],
    ['MEM=1G\nGUEST_HUGEPAGES=256', 'warn'],
    ['MEM=4G\nGUEST_HUGEPAGES=256', 'warn'],
  ])('guest memory %j → %s', async (lines, state) => {
    const r = byId(await guest(fixtureView('snabb-2017').view, lines), 'lwaftr-guest-memory');
    expect(r.state).toBe(state);
    if (state === 'warn') expect(r.fix).toBe('MEM=2G and GUEST_HUGEPAGES=512');
  });

  it.each([
    ['snabb-2017', 'QEMU_ACCEL=tcg\nQEMU_CPU=max', '7.2.22', 'ok', 'max under TCG has AVX2'],
    ['snabb-2017', 'QEMU_ACCEL=tcg\nQEMU_CPU=qemu64', '7.2.22', 'fail', 'the CPU model qemu64 has no AVX2'],
    ['snabb-2017', 'QEMU_ACCEL=tcg\nQEMU_CPU=qemu64,+avx2', '7.2.22', 'ok', 'under TCG has AVX2'],
    ['snabb-2017', 'QEMU_ACCEL=tcg\nQEMU_CPU=max', '7.0.0', 'fail', 'QEMU 7.0.0 emulates no AVX2 under TCG'],
    ['snabb-2017', 'QEMU_CPU=host', '7.2.22', 'ok', 'host under KVM on a host CPU with AVX2'],
    ['snabb-2024', 'QEMU_CPU=host', '7.2.22', 'fail', 'the host CPU has no AVX2'],
  ])('AVX2 on %s with %j, QEMU %s → %s', async (fixture, lines, version, state, text) => {
    const r = byId(await guest(fixtureView(fixture).view, lines, version), 'lwaftr-avx2');
    expect(r.state).toBe(state);
    expect(r.message).toContain(text);
  });

  it("skips real Snabb's needs when SNABB_PATH is not a Snabb tree", async () => {
    const results = await guest(fixtureView('programs').view, 'MEM=1G');
    expect(byId(results, 'lwaftr-guest-memory').state).toBe('skip');
    expect(byId(results, 'lwaftr-avx2').state).toBe('skip');
  });
});
