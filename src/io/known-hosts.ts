// OpenSSH known_hosts, read and appended by us: plain and hashed host names, [host]:port,
// * and ? patterns, ! negation, @revoked. The guest's key must match; a changed key is refused.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { patternsMatch } from '../util/host-patterns.js';

export type HostKeyVerdict =
  | { kind: 'known' }
  | { kind: 'unknown' }
  | { kind: 'changed'; line: number }
  | { kind: 'revoked'; line: number };

interface Entry {
  line: number;
  marker?: string;
  hosts: string;
  keyType: string;
  key: Buffer;
}

/** How OpenSSH names a host in known_hosts: `host` on port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** Key type of an SSH public key blob (its first string). */
export function keyTypeOf(blob: Buffer): string {
  const len = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + len).toString('ascii');
}

export function fingerprint(blob: Buffer): string {
  return `SHA256:${crypto.createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

function readEntries(file: string): Entry[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const entries: Entry[] = [];
  text.split('\n').forEach((raw, i) => {
    const fields = raw.trim().split(/\s+/);
    if (!fields[0] || fields[0].startsWith('#')) return;
    const marker = fields[0].startsWith('@') ? fields.shift() : undefined;
    if (fields.length < 3) return;
    entries.push({
      line: i + 1,
      marker,
      hosts: fields[0]!,
      keyType: fields[1]!,
      key: Buffer.from(fields[2]!, 'base64'),
    });
  });
  return entries;
}

/** Whether a known_hosts host field (patterns with * ? and !, or |1|salt|hash) names `name`. */
export function hostsMatch(hosts: string, name: string): boolean {
  if (hosts.startsWith('|1|')) {
    const [, , salt, hash] = hosts.split('|');
    return crypto.createHmac('sha1', Buffer.from(salt!, 'base64')).update(name).digest('base64') === hash;
  }
  return patternsMatch(hosts.split(','), name);
}

/** Key types known for this host, so that the client asks the server for one of those. */
export function knownKeyTypes(file: string, name: string): string[] {
  return [
    ...new Set(
      readEntries(file)
        .filter((e) => !e.marker && hostsMatch(e.hosts, name))
        .map((e) => e.keyType),
    ),
  ];
}

export function verifyHostKey(file: string, name: string, blob: Buffer): HostKeyVerdict {
  const type = keyTypeOf(blob);
  let changed: number | undefined;
  for (const e of readEntries(file)) {
    if (!hostsMatch(e.hosts, name) && e.marker !== '@revoked') continue;
    if (e.marker === '@revoked') {
      if (e.key.equals(blob)) return { kind: 'revoked', line: e.line };
      continue;
    }
    if (e.marker) continue;
    if (e.keyType === type && e.key.equals(blob)) return { kind: 'known' };
    if (e.keyType === type) changed ??= e.line;
  }
  return changed === undefined ? { kind: 'unknown' } : { kind: 'changed', line: changed };
}

export function recordHostKey(file: string, name: string, blob: Buffer): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.appendFileSync(file, `${name} ${keyTypeOf(blob)} ${blob.toString('base64')}\n`);
}
