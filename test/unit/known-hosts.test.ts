import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  fingerprint,
  keyTypeOf,
  knownHostsName,
  knownKeyTypes,
  recordHostKey,
  verifyHostKey,
} from '../../src/io/known-hosts.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kh-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** An SSH public key blob of the given type with random key bytes. */
function blob(type: string): Buffer {
  const t = Buffer.from(type);
  const k = crypto.randomBytes(32);
  const len = (n: number) => Buffer.from([0, 0, 0, n]);
  return Buffer.concat([len(t.length), t, len(k.length), k]);
}
const line = (hosts: string, key: Buffer) => `${hosts} ${keyTypeOf(key)} ${key.toString('base64')}`;
function file(name: string, lines: string[]): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, `${lines.join('\n')}\n`);
  return f;
}

describe('known_hosts', () => {
  const key = blob('ssh-ed25519');
  const other = blob('ssh-ed25519');

  it('names hosts as OpenSSH does', () => {
    expect(knownHostsName('10.21.21.2', 22)).toBe('10.21.21.2');
    expect(knownHostsName('127.0.0.1', 10022)).toBe('[127.0.0.1]:10022');
  });

  it.each([
    ['plain name', '10.21.21.2', '10.21.21.2', 'known'],
    ['one of a list', 'vm1,10.21.21.2', '10.21.21.2', 'known'],
    ['port form', '[127.0.0.1]:10022', '[127.0.0.1]:10022', 'known'],
    ['wildcard port', '[127.0.0.1]:*', '[127.0.0.1]:10031', 'known'],
    ['? wildcard', '10.21.21.?', '10.21.21.2', 'known'],
    ['negated', '10.21.21.*,!10.21.21.2', '10.21.21.2', 'unknown'],
    ['other host', '10.0.0.1', '10.21.21.2', 'unknown'],
  ])('%s', (_n, hosts, name, verdict) => {
    expect(verifyHostKey(file('a', [line(hosts, key)]), name, key).kind).toBe(verdict);
  });

  it('matches hashed host names', () => {
    const salt = crypto.randomBytes(20);
    const hash = crypto.createHmac('sha1', salt).update('[127.0.0.1]:10022').digest('base64');
    const f = file('hashed', [line(`|1|${salt.toString('base64')}|${hash}`, key)]);
    expect(verifyHostKey(f, '[127.0.0.1]:10022', key).kind).toBe('known');
    expect(verifyHostKey(f, '[127.0.0.1]:10023', key).kind).toBe('unknown');
  });

  it('a different key of the same type for the host is a change, with its line', () => {
    expect(verifyHostKey(file('c', ['# comment', line('10.21.21.2', other)]), '10.21.21.2', key)).toEqual({
      kind: 'changed',
      line: 2,
    });
  });

  it('a key of another type only is unknown, and the client is told which types are known', () => {
    const rsa = blob('ssh-rsa');
    const f = file('t', [line('10.21.21.2', rsa)]);
    expect(verifyHostKey(f, '10.21.21.2', key).kind).toBe('unknown');
    expect(knownKeyTypes(f, '10.21.21.2')).toEqual(['ssh-rsa']);
  });

  it('a @revoked key is refused whatever host it is for', () => {
    expect(
      verifyHostKey(
        file('r', [`@revoked * ${keyTypeOf(key)} ${key.toString('base64')}`, line('10.21.21.2', key)]),
        '10.21.21.2',
        key,
      ),
    ).toEqual({ kind: 'revoked', line: 1 });
  });

  it('records a new key (trust on first use) so that the next look finds it', () => {
    const f = path.join(dir, 'sub', 'tofu');
    expect(verifyHostKey(f, '[127.0.0.1]:10022', key).kind).toBe('unknown');
    recordHostKey(f, '[127.0.0.1]:10022', key);
    expect(verifyHostKey(f, '[127.0.0.1]:10022', key).kind).toBe('known');
    expect(verifyHostKey(f, '[127.0.0.1]:10022', other)).toEqual({ kind: 'changed', line: 1 });
  });

  it('fingerprints like ssh-keygen -l', () => {
    expect(fingerprint(key)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });
});
