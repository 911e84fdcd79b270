import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkSsh } from '../../../src/doctor/checks-ssh.js';
import type { DoctorOptions } from '../../../src/doctor/types.js';
import { knownHostsName } from '../../../src/io/known-hosts.js';
import { byId, conf, fixtureView, removeFixtureCopies } from './fixture-host.js';

afterAll(removeFixtureCopies);

async function ssh(lines: string, options: DoctorOptions = {}, keyMode = 0o600, portFree = true) {
  const { root, view } = fixtureView('ssh', { portFree: async () => portFree });
  // git keeps only the executable bit: the key's mode is set here.
  fs.chmodSync(path.join(root, 'keys/id_ed25519'), keyMode);
  return checkSsh(conf(lines), view, options);
}

describe('SSH key', () => {
  it.each([
    ['/keys/id_ed25519', 0o600, 'ok', 'is private to its owner'],
    ['/keys/id_ed25519', 0o644, 'warn', 'can be read by other users (mode 644): ssh refuses such keys'],
    ['/keys/empty', 0o600, 'fail', 'is empty (0 bytes)'],
    ['/keys/id_ed25519.pub', 0o600, 'fail', 'is not a private key'],
    ['/keys/none', 0o600, 'fail', 'does not exist'],
  ])('%s (mode %o) → %s', async (key, mode, state, text) => {
    const r = byId(await ssh(`VM_SSH_KEY=${key}`, {}, mode), 'ssh-key');
    expect(r.state).toBe(state);
    expect(r.message).toContain(text);
    if (state === 'warn') expect(r.fix).toBe('chmod 600 /keys/id_ed25519');
    expect(JSON.stringify(r.evidence)).not.toContain('not a real key');
  });

  it('behind a folder closed to this user: says so, rather than "does not exist"', async () => {
    const { view } = fixtureView('ssh');
    // As root no folder is closed: the view answers as it does for an ordinary user.
    const closed = {
      ...view,
      stat: (p: string) => (p.startsWith('/root/') ? ({ kind: 'denied', size: 0, mode: 0 } as const) : view.stat(p)),
    };
    const r = byId(await checkSsh(conf('VM_SSH_KEY=/root/.ssh/lwaftr'), closed, {}), 'ssh-key');
    expect(r.state).toBe('fail');
    expect(r.message).toBe(
      'the SSH key /root/.ssh/lwaftr cannot be reached by this user (a folder on its way is closed)',
    );
    expect(r.fix).toMatch(/as root/);
  });

  it('unset: the agent or default keys are used', async () => {
    expect(byId(await ssh(''), 'ssh-key').state).toBe('skip');
  });
});

describe('known_hosts', () => {
  const YES = 'VM_HOST_KEY_CHECK=yes\nVM_KNOWN_HOSTS=/keys/known_hosts\n';
  it.each([
    ['a plain entry', 'MGMT_NET=user\nVM_SSH_PORT=10022', 'ok'],
    ['a hashed entry', 'VM_IP=10.21.21.2', 'ok'],
    ['a pattern', 'MGMT_NET=user\nVM_SSH_PORT=10031', 'ok'],
    ['a negated pattern', 'MGMT_NET=user\nVM_SSH_PORT=10099', 'fail'],
    ['no entry (a @revoked line does not count)', 'VM_IP=10.21.21.3', 'fail'],
  ])('VM_HOST_KEY_CHECK=yes with %s → %s', async (_name, lines, state) => {
    const r = byId(await ssh(YES + lines), 'known-hosts');
    expect(r.state).toBe(state);
    if (state === 'fail') expect(r.fix).toContain('VM_HOST_KEY_CHECK=accept-new');
  });

  it('VM_HOST_KEY_CHECK=yes needs the file; accept-new does not', async () => {
    const missing = byId(await ssh('VM_HOST_KEY_CHECK=yes\nVM_KNOWN_HOSTS=/keys/none'), 'known-hosts');
    expect(missing.state).toBe('fail');
    expect(missing.fix).toContain('ssh-keyscan 10.21.21.2 >> /keys/none');
    expect(byId(await ssh('VM_KNOWN_HOSTS=/keys/none'), 'known-hosts').state).toBe('ok');
  });

  it('names hosts as OpenSSH does', () => {
    expect([knownHostsName('10.21.21.2', 22), knownHostsName('127.0.0.1', 10022)]).toEqual([
      '10.21.21.2',
      '[127.0.0.1]:10022',
    ]);
  });
});

describe('the way to the guest', () => {
  const USER = 'MGMT_NET=user\nVM_SSH_PORT=10022';
  it.each([
    [USER, {}, true, 'ssh-port-free', 'ok', 'QEMU can forward 127.0.0.1:10022'],
    [USER, {}, false, 'ssh-port-free', 'fail', '127.0.0.1:10022 is taken by another program'],
    [USER, { vmRunning: true }, false, 'ssh-port-free', 'ok', "this instance's QEMU forwards it"],
    ['', {}, true, 'vm-ip-routed', 'ok', '10.21.21.2 is routed through the tap mgmt0'],
    ['IFACE=tap1', {}, true, 'vm-ip-routed', 'warn', '10.21.21.2 is routed through mgmt0, not the tap NIC'],
    ['VM_IP=198.51.100.2', {}, true, 'vm-ip-routed', 'warn', 'no route to 198.51.100.2, and no NETSCRIPT'],
    [
      'VM_IP=198.51.100.2\nNETSCRIPT=/etc/netscript',
      {},
      true,
      'vm-ip-routed',
      'skip',
      'NETSCRIPT /etc/netscript is expected to add it',
    ],
    [
      'VM_IP=198.51.100.2',
      { vmRunning: true },
      true,
      'vm-ip-routed',
      'fail',
      'nothing routes 198.51.100.2 to the tap NIC',
    ],
  ])('%j %j (port free: %s) → %s %s', async (lines, options, free, id, state, text) => {
    const r = byId(await ssh(lines, options, 0o600, free), id);
    expect(r.state).toBe(state);
    expect(r.message).toContain(text);
  });
});
