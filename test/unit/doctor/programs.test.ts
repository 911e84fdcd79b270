import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkPrograms, checkRoot, checkVmFiles } from '../../../src/doctor/checks-programs.js';
import { byId, conf, fixtureView, removeFixtureCopies, states } from './fixture-host.js';

afterAll(removeFixtureCopies);

const USER_NET =
  'MGMT_NET=user\nVM_SSH_PORT=10022\nSNABBNFV_PCI1=soft\nSNABBNFV_PCI2=soft\n' +
  'MEM_BACKEND=memfd\nSTATE_DIR=/tmp/doctor-state';

describe('root', () => {
  it.each([
    ['root', 'programs', '', 'ok', 'running as root'],
    [
      'not root, with NICs and a tap',
      'nonroot',
      '',
      'fail',
      'snabbnfv drives the NIC 0000:02:00.0 itself, which needs root',
    ],
    [
      'not root, tap without CAP_NET_ADMIN',
      'nonroot',
      'SNABBNFV_PCI1=soft\nSNABBNFV_PCI2=soft',
      'fail',
      'the tap NIC mgmt0 needs CAP_NET_ADMIN',
    ],
    ['not root, nothing needs it', 'nonroot', USER_NET, 'ok', 'nothing this config does needs root'],
  ])('%s', (_name, fixture, lines, state, text) => {
    const r = checkRoot(conf(lines), fixtureView(fixture).view);
    expect(r.state).toBe(state);
    expect(r.message).toContain(text);
    if (state === 'fail') expect(r.fix).toContain('sudo');
  });
});

describe('programs', () => {
  it('finds every program the plan runs, and asks for numactl only with NUMA_NODE', () => {
    const { view } = fixtureView('programs');
    expect(states(checkPrograms(conf(), view))).toEqual({
      'program-screen': 'ok',
      'program-taskset': 'ok',
      'program-qemu': 'ok',
      'program-snabb': 'ok',
    });
    const numa = byId(checkPrograms(conf('NUMA_NODE=0'), view), 'program-numactl');
    expect(numa).toMatchObject({ state: 'fail', fix: 'apt-get install numactl', key: 'NUMA_NODE' });
  });

  it('names the Debian package of each missing program', () => {
    const { root, view } = fixtureView('programs', { pathDirs: ['/nothing-here'] });
    const results = checkPrograms(conf(), view);
    expect(byId(results, 'program-screen')).toMatchObject({ state: 'fail', fix: 'apt-get install screen' });
    expect(byId(results, 'program-taskset')).toMatchObject({ state: 'fail', fix: 'apt-get install util-linux' });
    expect(byId(results, 'program-qemu')).toMatchObject({ state: 'fail', fix: 'apt-get install qemu-system-x86' });
    expect(byId(results, 'program-snabb').state).toBe('ok');
    expect(fs.existsSync(path.join(root, 'usr/bin/screen'))).toBe(true);
  });

  it('a QEMU given by path that is not there is the key to fix', () => {
    const r = byId(
      checkPrograms(conf('QEMU=/opt/qemu/bin/qemu-system-x86_64'), fixtureView('programs').view),
      'program-qemu',
    );
    expect(r).toMatchObject({ state: 'fail', key: 'QEMU' });
    expect(r.fix).toContain('set QEMU to its full path');
  });

  it.each([
    ['/opt/snabb', 'ok', 'is executable', undefined],
    ['/opt/noexec', 'fail', 'is not executable', 'chmod +x /opt/noexec/src/snabb'],
    ['/opt/empty', 'fail', 'is empty (0 bytes)', 'make -C /opt/empty'],
    ['/opt/none', 'fail', 'does not exist', 'make -C /opt/none'],
  ])('snabb program in SNABB_PATH=%s: %s', (snabbPath, state, text, fix) => {
    const r = byId(checkPrograms(conf(`SNABB_PATH=${snabbPath}`), fixtureView('programs').view), 'program-snabb');
    expect(r.state).toBe(state);
    expect(r.message).toContain(text);
    if (fix) expect(r.fix).toContain(fix);
  });

  it.each([
    ['executable', '', 'ok'],
    ['not executable', '644', 'fail'],
    ['missing', 'rm', 'fail'],
  ])('NETSCRIPT %s', (_name, change, state) => {
    const { root, view } = fixtureView('programs');
    const script = path.join(root, 'etc/netscript');
    if (change === '644') fs.chmodSync(script, 0o644);
    if (change === 'rm') fs.rmSync(script);
    const r = byId(checkPrograms(conf('NETSCRIPT=/etc/netscript'), view), 'program-netscript');
    expect(r.state).toBe(state);
    if (change === '644') expect(r.fix).toBe('chmod +x /etc/netscript');
  });

  it('checks NETSCRIPT only for a tap NIC that has one', () => {
    const ids = checkPrograms(conf('MGMT_NET=user\nVM_SSH_PORT=10022'), fixtureView('programs').view).map((r) => r.id);
    expect(ids).not.toContain('program-netscript');
  });
});

describe('VM files', () => {
  it.each([
    ['BZ_IMAGE=/vm/bzImage', 'file-kernel', 'ok', 'is there (7 bytes)'],
    ['BZ_IMAGE=/vm/empty.img', 'file-kernel', 'fail', 'is empty (0 bytes)'],
    ['VM_IMAGE=/vm/empty.img', 'file-disk', 'fail', 'is empty (0 bytes)'],
    ['INITRD=/vm/initrd.gz', 'file-initrd', 'fail', 'does not exist'],
    ['BZ_IMAGE=/vm', 'file-kernel', 'fail', 'is a dir, not a file'],
    ['SHARED_LOCATION=/vm', 'shared-folder', 'ok', 'is shared with the guest'],
    ['SHARED_LOCATION=/vm/bzImage', 'shared-folder', 'fail', 'is a file'],
    ['VM_DIR=/vm', 'vm-dir', 'ok', 'QEMU runs in /vm'],
    ['VM_DIR=/nowhere', 'vm-dir', 'fail', '/nowhere is missing'],
    ['VM_DIR=/vm/bzImage', 'vm-dir', 'fail', 'is a file'],
  ])('%s → %s %s', (line, id, state, text) => {
    const r = byId(checkVmFiles(conf(line), fixtureView('programs').view), id);
    expect(r.state).toBe(state);
    expect(r.message).toContain(text);
    if (state === 'fail') expect(r.fix).toBeTruthy();
  });
});
