// Parsers for single config values. Each returns the typed value or throws ValueError
// with a message that says what a good value looks like.
import path from 'node:path';
import { readCoreList } from '../util/core-list.js';

export class ValueError extends Error {}

const PCI = /^[0-9a-f]{4}:[0-9a-f]{2}:[0-1][0-9a-f]\.[0-7]$/;

/** A full PCI address, or `soft` (snabbnfv with no NIC). */
export function parsePci(value: string): string {
  const v = value.toLowerCase();
  if (v === 'soft' || PCI.test(v)) return v;
  if (/^[0-9a-f]{2}:[0-1][0-9a-f]\.[0-7]$/.test(v))
    throw new ValueError(`"${value}" lacks the PCI domain; write 0000:${v}`);
  throw new ValueError(`"${value}" is not a PCI address DDDD:BB:DD.F (e.g. 0000:02:00.0) nor "soft"`);
}

export function parseMac(value: string): string {
  if (/^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/.test(value)) {
    if (parseInt(value.slice(0, 2), 16) & 1)
      throw new ValueError(
        `"${value}" is a multicast MAC; a NIC needs a unicast one (first byte even, e.g. 52:54:00:...)`,
      );
    return value.toLowerCase();
  }
  throw new ValueError(`"${value}" is not a MAC address like 52:54:00:00:00:01`);
}

/** `0`, `0-3`, `0,2,4-5` → sorted unique core numbers. */
export function parseCoreList(value: string): number[] {
  const cores = readCoreList(value);
  if (cores) return cores;
  const backwards = /(\d+)-(\d+)/.exec(value);
  if (backwards && Number(backwards[2]) < Number(backwards[1]))
    throw new ValueError(`"${backwards[0]}" runs backwards; write ${backwards[2]}-${backwards[1]}`);
  throw new ValueError(`"${value}" is not a core list like 0, 2-3 or 0,2`);
}

/** QEMU memory size (`512`, `512M`, `2G`) → MiB. A bare number is MiB, as QEMU reads it. */
export function parseMemSize(value: string): number {
  const m = /^(\d+)([MmGgTt])?$/.exec(value);
  if (!m) throw new ValueError(`"${value}" is not a size like 1024M or 2G`);
  const n = Number(m[1]);
  const unit = (m[2] ?? 'M').toUpperCase();
  const mib = unit === 'G' ? n * 1024 : unit === 'T' ? n * 1024 * 1024 : n;
  if (mib < 64) throw new ValueError(`"${value}" is under 64M, too little for a guest`);
  return mib;
}

export function parseInteger(value: string, min: number, max: number): number {
  if (!/^\d+$/.test(value)) throw new ValueError(`"${value}" is not a whole number`);
  const n = Number(value);
  if (n < min || n > max) throw new ValueError(`${n} is outside ${min}..${max}`);
  return n;
}

export function parsePort(value: string): number {
  return parseInteger(value, 1, 65535);
}

/** Seconds, decimals allowed → milliseconds. */
export function parseSeconds(value: string): number {
  if (!/^\d+(\.\d+)?$/.test(value)) throw new ValueError(`"${value}" is not a number of seconds like 30 or 0.5`);
  const ms = Math.round(Number(value) * 1000);
  if (ms <= 0) throw new ValueError('must be more than 0 seconds');
  return ms;
}

export function parseYesNo(value: string): boolean {
  const v = value.toLowerCase();
  if (['yes', 'true', '1', 'on'].includes(v)) return true;
  if (['no', 'false', '0', 'off'].includes(v)) return false;
  throw new ValueError(`"${value}" is not yes or no`);
}

export function parseChoice<T extends string>(value: string, choices: readonly T[]): T {
  if ((choices as readonly string[]).includes(value)) return value as T;
  throw new ValueError(`"${value}" is not one of ${choices.join(', ')}`);
}

/** Values that end up in names, paths and command lines: no shell metacharacters, no spaces. */
export function parseWord(value: string): string {
  if (/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(value)) return value;
  throw new ValueError(`"${value}" must be a plain word (letters, digits, . _ -; no spaces or shell characters)`);
}

/** IPv4 address, optionally with /prefix. */
export function parseIpv4(value: string): string {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(\/(\d{1,2}))?$/.exec(value);
  if (m?.slice(1, 5).every((o) => Number(o) <= 255) && (m[6] === undefined || Number(m[6]) <= 32)) return value;
  throw new ValueError(`"${value}" is not an IPv4 address like 10.21.21.2`);
}

/** Longest unix socket path the kernel accepts (sun_path is 108 bytes with the NUL). */
export const MAX_SOCKET_PATH = 107;

/** A host path: `~` is already expanded; relative paths are taken from the config file's folder. */
export function hostPathIn(confDir: string): (value: string) => string {
  return (v) => {
    if (v.includes('\n')) throw new ValueError('a path cannot contain a line break');
    return path.resolve(confDir, v);
  };
}

/** A unix socket path, short enough for the kernel. */
export function socketPathIn(confDir: string): (value: string) => string {
  const hostPath = hostPathIn(confDir);
  return (v) => {
    const p = hostPath(v);
    if (p.includes('%s'))
      throw new ValueError(`"${v}" has %s; write the socket path out in full (QEMU needs the same path)`);
    const bytes = Buffer.byteLength(p);
    if (bytes > MAX_SOCKET_PATH)
      throw new ValueError(
        `"${p}" is ${bytes} bytes; a unix socket path must be at most ${MAX_SOCKET_PATH}: pick a shorter path`,
      );
    return p;
  };
}

/** A path inside the guest: taken as written (a leading `~` is the guest user's home). */
export function parseGuestPath(v: string): string {
  if (/[\n\0]/.test(v)) throw new ValueError('a guest path cannot contain a line break');
  return v;
}

export function parseQemuOption(v: string): string {
  if (/^[A-Za-z0-9_.,=+-]+$/.test(v)) return v;
  throw new ValueError(`"${v}" must be a QEMU option value (letters, digits, and . , = + - _)`);
}

export function parseProgram(v: string): string {
  if (/^[A-Za-z0-9_./+-]+$/.test(v)) return v;
  throw new ValueError(`"${v}" must be a program name or path without spaces or shell characters`);
}

/** OpenSSH's StrictHostKeyChecking words → the two policies lwaftrctl has. */
export function parseHostKeyPolicy(value: string): 'yes' | 'accept-new' {
  const v = value.toLowerCase();
  if (v === 'yes' || v === 'ask') return 'yes';
  if (v === 'accept-new' || v === 'no' || v === 'off') return 'accept-new';
  throw new ValueError(`StrictHostKeyChecking=${value} is not yes, accept-new or no`);
}
