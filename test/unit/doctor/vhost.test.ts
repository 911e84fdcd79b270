import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkTap, checkVhostUser } from '../../../src/doctor/checks-vhost.js';
import { readPortFileMacs } from '../../../src/doctor/port-file.js';
import { byId, conf, fixtureView, removeFixtureCopies } from './fixture-host.js';

afterAll(removeFixtureCopies);

/** A socket file with nobody behind it: a process that listened on it and was killed. */
function leaveSocket(file: string): void {
  const script = "require('net').createServer().listen(process.argv[1], () => process.kill(process.pid, 'SIGKILL'))";
  try {
    execFileSync(process.execPath, ['-e', script, file], { stdio: 'ignore' });
  } catch {
    // Killed by SIGKILL, as meant: the socket file stays.
  }
  expect(fs.statSync(file).isSocket()).toBe(true);
}

/** The vhost fixture lists /run/vm/live.sock as listening in /proc/net/unix, and stale.sock as not. */
function vhostHost() {
  const fixture = fixtureView('vhost');
  leaveSocket(path.join(fixture.root, 'run/vm/live.sock'));
  leaveSocket(path.join(fixture.root, 'run/vm/stale.sock'));
  return fixture;
}

const PORTS = 'SNABBNFV_CONF1=/etc/lwaftr/a.cfg\nSNABBNFV_CONF2=/etc/lwaftr/b.cfg\n';

describe('vhost-user sockets', () => {
  it.each([
    [
      'SNABBNFV_SOCK1=/run/vm/new.sock',
      false,
      'socket-path-1',
      'ok',
      '/run/vm is writable; the path is 16 bytes (at most 107)',
    ],
    ['SNABBNFV_SOCK1=/run/none/vh.sock', false, 'socket-path-1', 'fail', 'the socket folder /run/none does not exist'],
    [
      'STATE_DIR=/run/lwaftrctl/t\nSNABBNFV_SOCK1=/run/lwaftrctl/t/vh.sock',
      false,
      'socket-path-1',
      'ok',
      'is made at start (STATE_DIR)',
    ],
    [
      'SNABBNFV_SOCK1=/run/vm/regular.sock/x',
      false,
      'socket-path-1',
      'fail',
      '/run/vm/regular.sock is a file, not a folder',
    ],
    ['SNABBNFV_SOCK1=/run/vm/new.sock', false, 'socket-stale-1', 'ok', 'no socket yet: QEMU makes it at start'],
    ['SNABBNFV_SOCK1=/run/vm/stale.sock', false, 'socket-stale-1', 'warn', 'is left from a QEMU that was killed'],
    [
      'SNABBNFV_SOCK1=/run/vm/live.sock',
      false,
      'socket-stale-1',
      'fail',
      'a process already listens on /run/vm/live.sock',
    ],
    ['SNABBNFV_SOCK1=/run/vm/live.sock', true, 'socket-stale-1', 'ok', "this instance's QEMU listens on it"],
    [
      'SNABBNFV_SOCK1=/run/vm/regular.sock',
      false,
      'socket-stale-1',
      'fail',
      'is a file, not a socket: QEMU would delete it',
    ],
  ])('%s (VM running: %s) → %s %s', (lines, vmRunning, id, state, text) => {
    const r = byId(checkVhostUser(conf(PORTS + lines), vhostHost().view, { vmRunning }), id);
    expect(r.state).toBe(state);
    expect(r.message).toContain(text);
    if (state === 'warn' || state === 'fail') expect(r.fix).toBeTruthy();
    if (text.includes('left from')) expect(r.fix).toBe('rm /run/vm/stale.sock');
  });

  it('a socket path over 107 bytes fails (sun_path holds 108 with its NUL)', () => {
    const config = conf(PORTS);
    config.snabbnfv.ports[0].socket = `/run/vm/${'x'.repeat(100)}.sock`;
    const r = byId(checkVhostUser(config, vhostHost().view, {}), 'socket-path-1');
    expect(r.state).toBe('fail');
    expect(r.message).toContain('is 113 bytes; a unix socket path can have at most 107');
  });
});

describe('port files', () => {
  it.each([
    ['/etc/lwaftr/a.cfg', 'ok', 'its mac_address matches SNABBNFV_MAC1 (52:54:00:00:00:01)'],
    ['/etc/lwaftr/b.cfg', 'fail', 'its mac_address 52:54:00:00:00:02 is not SNABBNFV_MAC1 (52:54:00:00:00:01'],
    ['/etc/lwaftr/wrong.cfg', 'fail', 'its mac_address 52:54:00:00:00:99 is not SNABBNFV_MAC1'],
    ['/etc/lwaftr/nomac.cfg', 'fail', 'has no mac_address'],
    ['/etc/lwaftr/computed.cfg', 'warn', 'its mac_address is computed'],
    ['/etc/lwaftr/none.cfg', 'fail', 'does not exist or cannot be read'],
  ])('%s → %s', (file, state, text) => {
    const r = byId(checkVhostUser(conf(`SNABBNFV_CONF1=${file}`), vhostHost().view, {}), 'port-file-1');
    expect(r.state).toBe(state);
    expect(r.message).toContain(text);
    if (state !== 'ok') expect(r.fix).toContain('mac_address');
  });

  it('port 2 reads the bracketed key and ignores a long comment', () => {
    expect(byId(checkVhostUser(conf(PORTS), vhostHost().view, {}), 'port-file-2').state).toBe('ok');
  });

  it.each([
    ['return { { mac_address = "52:54:00:00:00:01" } }', ['52:54:00:00:00:01'], false],
    [
      "return {{mac_address='52:54:00:00:00:01'},{mac_address = [[52:54:00:00:00:02]]}}",
      ['52:54:00:00:00:01', '52:54:00:00:00:02'],
      false,
    ],
    [
      '-- mac_address = "aa:aa:aa:aa:aa:aa"\nreturn { { ["mac_address"] = "52:54:00:00:00:03" } }',
      ['52:54:00:00:00:03'],
      false,
    ],
    ['--[==[ mac_address = "aa:aa:aa:aa:aa:aa" ]] still a comment ]==]\nreturn {}', [], false],
    ['return { { port_id = "mac_address = \\"x\\"" } }', [], false],
    ['return { { mac_address = mac } }', [], true],
    ['t.mac_address = "52:54:00:00:00:04"\nreturn { t }', [], false],
  ])('reads %j', (lua, macs, computed) => {
    expect(readPortFileMacs(lua)).toEqual({ macs, computed });
  });
});

describe('tap devices', () => {
  it('needs /dev/net/tun', () => {
    expect(byId(checkTap(conf(), vhostHost().view), 'tun-device').state).toBe('ok');
    const missing = byId(checkTap(conf(), fixtureView('programs').view), 'tun-device');
    expect(missing).toMatchObject({ state: 'fail', fix: 'modprobe tun' });
  });

  it('needs /dev/vhost-net only with MGMT_VHOST=yes or vhost=on in QEMU_ARGS', () => {
    const { root, view } = vhostHost();
    expect(byId(checkTap(conf(), view), 'vhost-net')).toMatchObject({
      state: 'ok',
      message: expect.stringContaining('not needed'),
    });
    const inArgs = conf('QEMU_ARGS="-netdev tap,id=t2,vhost=on"');
    expect(byId(checkTap(inArgs, view), 'vhost-net')).toMatchObject({
      state: 'fail',
      key: 'QEMU_ARGS',
      fix: 'modprobe vhost_net, or drop vhost=on from QEMU_ARGS',
    });
    const byKey = conf('MGMT_VHOST=yes');
    expect(byId(checkTap(byKey, view), 'vhost-net')).toMatchObject({
      state: 'fail',
      key: 'MGMT_VHOST',
      fix: 'modprobe vhost_net, or set MGMT_VHOST=no',
    });
    fs.symlinkSync('/dev/null', path.join(root, 'dev/vhost-net'));
    expect(byId(checkTap(inArgs, view), 'vhost-net').state).toBe('ok');
    expect(byId(checkTap(byKey, view), 'vhost-net').state).toBe('ok');
  });

  it('user networking needs neither', () => {
    expect(checkTap(conf('MGMT_NET=user\nVM_SSH_PORT=10022'), vhostHost().view)).toEqual([]);
  });
});
