// The kept-open guest connection's pure parts: its files, its idle time, and when two sides agree on the guest.

import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { QMP_SOCKET_NAME } from '../../src/config/build-config.js';
import { muxFiles, muxIdleMs, sameTarget } from '../../src/io/guest-mux.js';

const target = {
  host: '127.0.0.1',
  port: 10022,
  user: 'root',
  identityFile: '/k',
  knownHosts: '/kh',
  hostKeyCheck: 'yes' as const,
};

describe('the kept-open guest connection', () => {
  it('has its socket in the state folder, named no longer than the QMP socket the config holds to 107 bytes', () => {
    const files = muxFiles('/run/lwaftrctl/x');
    expect(path.dirname(files.socket)).toBe('/run/lwaftrctl/x');
    expect(path.basename(files.socket).length).toBeLessThanOrEqual(QMP_SOCKET_NAME.length);
  });

  it('stays 300 s idle unless LWAFTRCTL_GUEST_MUX_IDLE says otherwise; 0 turns it off; nonsense is refused', () => {
    expect(muxIdleMs({})).toBe(300_000);
    expect(muxIdleMs({ LWAFTRCTL_GUEST_MUX_IDLE: '2.5' })).toBe(2500);
    expect(muxIdleMs({ LWAFTRCTL_GUEST_MUX_IDLE: '0' })).toBe(0);
    expect(muxIdleMs({ LWAFTRCTL_GUEST_MUX_IDLE: '1e9' })).toBe(2 ** 31 - 1);
    expect(() => muxIdleMs({ LWAFTRCTL_GUEST_MUX_IDLE: 'soon' })).toThrow(/not a number of seconds/);
    expect(() => muxIdleMs({ LWAFTRCTL_GUEST_MUX_IDLE: '-1' })).toThrow(/not a number of seconds/);
  });

  it('serves only the very target it logged into, whatever the order of its settings', () => {
    const { knownHosts, ...rest } = target;
    const reordered = { knownHosts, ...rest, keepaliveIntervalMs: undefined };
    expect(sameTarget(target, reordered)).toBe(true);
    expect(sameTarget(target, { ...target, knownHosts: '/other' })).toBe(false);
    expect(sameTarget(target, { ...target, identityFile: undefined })).toBe(false);
    expect(sameTarget(target, { ...target, keepaliveCountMax: 3 })).toBe(false);
  });
});
