// Parsers for the kernel's text files the checks read (/proc, /sys), and version numbers.
import { readCoreList } from '../util/core-list.js';

/** `0-3,6` → [0,1,2,3,6]; an empty file (no isolated cores) → []; undefined when unreadable. */
export function parseCpuList(text: string | undefined): number[] | undefined {
  if (text === undefined) return undefined;
  const t = text.trim();
  if (t === '' || t === '(null)') return [];
  return readCoreList(t);
}

/** /proc/meminfo → { HugePages_Free: 12, Hugepagesize: 2048, ... } (sizes in kB, counts as counts). */
export function parseMeminfo(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z0-9_()]+):\s+(\d+)/.exec(line);
    if (m) out[m[1]!] = Number(m[2]);
  }
  return out;
}

export interface Mount {
  device: string;
  mountPoint: string;
  fsType: string;
  options: string[];
}

/** /proc/mounts; paths there write space, tab, newline and backslash as octal escapes. */
export function parseMounts(text: string): Mount[] {
  const unescapeOctal = (s: string) =>
    s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8)));
  return text
    .split('\n')
    .map((line) => line.split(' '))
    .filter((f) => f.length >= 4)
    .map(([device, mountPoint, fsType, options]) => ({
      device: unescapeOctal(device!),
      mountPoint: unescapeOctal(mountPoint!),
      fsType: fsType!,
      options: options!.split(','),
    }));
}

/** Paths of unix sockets something listens on, from /proc/net/unix (flag __SO_ACCEPTCON). */
export function unixListeners(text: string): Set<string> {
  const out = new Set<string>();
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length >= 8 && (parseInt(f[3]!, 16) & 0x10000) !== 0) out.add(f.slice(7).join(' '));
  }
  return out;
}

export interface Route {
  iface: string;
  /** Network order turned into a plain number, as 10.21.21.0 → 0x0a151500. */
  destination: number;
  mask: number;
}

/** /proc/net/route writes addresses as little-endian hex. */
export function parseRoutes(text: string): Route[] {
  const le = (hex: string) => {
    const n = parseInt(hex, 16);
    return (((n & 0xff) << 24) | ((n & 0xff00) << 8) | ((n >>> 8) & 0xff00) | (n >>> 24)) >>> 0;
  };
  return text
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((f) => f.length >= 8)
    .map((f) => ({ iface: f[0]!, destination: le(f[1]!), mask: le(f[7]!) }));
}

export function ipv4ToNumber(ip: string): number {
  return ip.split('.').reduce((n, octet) => ((n << 8) | Number(octet)) >>> 0, 0);
}

/** `7.2.22`, `2.8`, `2017.11`, `v2024.06-12-gabc` → [7,2,22] … [2024,6]; undefined when there is none. */
export function parseVersion(text: string): number[] | undefined {
  const m = /(\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
  return m
    ? m
        .slice(1)
        .filter((x) => x !== undefined)
        .map(Number)
    : undefined;
}

export function compareVersions(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export const atLeast = (v: number[], min: string) => compareVersions(v, parseVersion(min)!) >= 0;

/** The Uid: or CapEff: line of /proc/self/status. */
export function statusField(status: string | undefined, field: string): string | undefined {
  return status
    ?.split('\n')
    .find((l) => l.startsWith(`${field}:`))
    ?.slice(field.length + 1)
    .trim();
}
