// Parsers for single config values. Each returns the typed value or throws ValueError
// with a message that says what a good value looks like.

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
  const cores = new Set<number>();
  for (const part of value.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) throw new ValueError(`"${value}" is not a core list like 0, 2-3 or 0,2`);
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo) throw new ValueError(`"${part}" runs backwards; write ${hi}-${lo}`);
    for (let c = lo; c <= hi; c++) cores.add(c);
  }
  return [...cores].sort((a, b) => a - b);
}

export function formatCoreList(cores: number[]): string {
  return cores.join(',');
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
