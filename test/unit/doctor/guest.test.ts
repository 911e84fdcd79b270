import { describe, expect, it } from 'vitest';
import { runGuestChecks } from '../../../src/doctor/checks-guest.js';
import type { GuestExec, GuestExecResult } from '../../../src/doctor/types.js';
import { byId, conf, states } from './fixture-host.js';

/** Test double for the SSH guest exec: answers from a table keyed by the argv joined with spaces. */
function scriptedGuest(table: Record<string, Partial<GuestExecResult>>): GuestExec & { calls: string[][] } {
  const calls: string[][] = [];
  const exec = async (argv: string[]) => {
    calls.push(argv);
    const answer = table[argv.join(' ')];
    if (!answer) return { code: 127, stdout: '', stderr: `not scripted: ${argv.join(' ')}` };
    return { code: 0, stdout: '', stderr: '', ...answer };
  };
  return Object.assign(exec, { calls });
}

const NIC = (pci: string) => `cat /sys/bus/pci/devices/${pci}/vendor /sys/bus/pci/devices/${pci}/device`;
const HEALTHY = {
  true: {},
  [NIC('0000:00:08.0')]: { stdout: '0x1af4\n0x1000\n' },
  [NIC('0000:00:09.0')]: { stdout: '0x1af4\n0x1000\n' },
  'cat /proc/meminfo': { stdout: 'MemTotal: 2000000 kB\nHugePages_Total:     512\nHugepagesize:       2048 kB\n' },
  'test -x /mnt/host/snabb/src/snabb': {},
  'sudo -n true': {},
};
const BUILTIN = 'SHARED_LOCATION=/opt\nLWAFTR_CONF=/mnt/host/lwaftr.conf\nMEM=2G\nGUEST_HUGEPAGES=512';

describe('guest checks', () => {
  it('all skip when the VM is not running', async () => {
    const results = await runGuestChecks(conf(BUILTIN), undefined);
    expect(results.map((r) => r.state)).toEqual(['skip', 'skip', 'skip', 'skip', 'skip']);
    expect(results[0]!.message).toBe('the VM is not running');
  });

  it('a healthy guest passes every check; sudo is checked only for a user other than root', async () => {
    expect(states(await runGuestChecks(conf(BUILTIN), scriptedGuest(HEALTHY)))).toEqual({
      'guest-ssh': 'ok',
      'guest-nic-1': 'ok',
      'guest-nic-2': 'ok',
      'guest-hugepages': 'ok',
      'guest-snabb': 'ok',
    });
    const results = await runGuestChecks(conf(`${BUILTIN}\nVM_USER=igalia`), scriptedGuest(HEALTHY));
    expect(byId(results, 'guest-sudo').state).toBe('ok');
  });

  it('a guest SSH cannot reach fails once, and the rest skip', async () => {
    const exec: GuestExec = async () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:10022');
    };
    const results = await runGuestChecks(conf(BUILTIN), exec);
    expect(results[0]).toMatchObject({
      id: 'guest-ssh',
      state: 'fail',
      message: 'cannot run a command in the guest: connect ECONNREFUSED 127.0.0.1:10022',
    });
    expect(results.slice(1).map((r) => r.state)).toEqual(['skip', 'skip', 'skip', 'skip']);
  });
});

describe('each guest check fails on its own fault', () => {
  it.each([
    [
      'a modern-only NIC',
      { [NIC('0000:00:08.0')]: { stdout: '0x1af4\n0x1041\n' } },
      'guest-nic-1',
      'fail',
      'modern-only virtio-net (0x1041)',
    ],
    [
      'a missing NIC',
      { [NIC('0000:00:09.0')]: { code: 1, stderr: 'No such file or directory' } },
      'guest-nic-2',
      'fail',
      'has no PCI device 0000:00:09.0',
    ],
    [
      'another device',
      { [NIC('0000:00:08.0')]: { stdout: '0x8086\n0x100e\n' } },
      'guest-nic-1',
      'fail',
      'is not virtio-net',
    ],
    [
      'no hugepages',
      { 'cat /proc/meminfo': { stdout: 'HugePages_Total:       0\n' } },
      'guest-hugepages',
      'fail',
      'the guest has no hugepages',
    ],
    [
      'fewer hugepages',
      { 'cat /proc/meminfo': { stdout: 'HugePages_Total:     300\n' } },
      'guest-hugepages',
      'warn',
      'got 300 hugepages of the 512',
    ],
    [
      'no snabb',
      { 'test -x /mnt/host/snabb/src/snabb': { code: 1 } },
      'guest-snabb',
      'fail',
      'missing or not executable',
    ],
    [
      'no sudo',
      { 'sudo -n true': { code: 1, stderr: 'sudo: a password is required' } },
      'guest-sudo',
      'fail',
      'igalia cannot sudo without a password',
    ],
  ])('%s fails its check', async (_name, change, id, state, text) => {
    const r = byId(
      await runGuestChecks(conf(`${BUILTIN}\nVM_USER=igalia`), scriptedGuest({ ...HEALTHY, ...change })),
      id,
    );
    expect(r.state).toBe(state);
    expect(r.message).toContain(text);
    expect(r.fix).toBeTruthy();
  });

  it("checks the start script's program, under the guest user's home for ~/, the path as an argument", async () => {
    const home = scriptedGuest({ ...HEALTHY, 'sh -c test -x "$HOME/$1" sh bin/run_lwaftr.sh': {} });
    expect(
      byId(await runGuestChecks(conf("LWAFTR_START='~/bin/run_lwaftr.sh --fast'"), home), 'guest-start-script').state,
    ).toBe('ok');
    expect(home.calls).toContainEqual(['sh', '-c', 'test -x "$HOME/$1"', 'sh', 'bin/run_lwaftr.sh']);
    const absent = scriptedGuest({ ...HEALTHY, 'test -x /usr/local/bin/lwaftr-start': { code: 1 } });
    const r = byId(
      await runGuestChecks(conf('LWAFTR_START=/usr/local/bin/lwaftr-start'), absent),
      'guest-start-script',
    );
    expect(r.state).toBe('fail');
    expect(r.fix).toContain('scripts/run_lwaftr.sh.example');
  });
});
