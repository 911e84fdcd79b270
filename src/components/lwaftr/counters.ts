// The guest lwAFTR's data-plane health, read where Snabb keeps it: one 8-byte counter file per name
// under /var/run/snabb/<pid>/apps/lwaftr/ (Snabb v2017.11's layout, which the lab's stand-in keeps
// too), read in the same SSH round trip as the process check. The previous sample is kept in the
// guest, beside the lwAFTR's pid file, so that status gives rates without a second look.
import { PROCESS_STATE_FUNCTION } from '../../io/guest-process.js';

/** Snabb's shm root in the guest, and the lwAFTR's counters below a process's folder. */
export const SNABB_SHM = '/var/run/snabb';
export const LWAFTR_COUNTERS = 'apps/lwaftr';

/**
 * $1 pid file, $2 log, $3 sample file. Prints what process_state does (two lines), then, when the
 * process has counters: "counters UPTIME NAME...", their values on one line, and the previous
 * sample's two lines (empty when there was none), which it then replaces.
 */
export const GUEST_LWAFTR_STATUS =
  `${PROCESS_STATE_FUNCTION}; sample=$3; process_state "$1" "$2"; [ -n "$pid" ] || exit 0; ` +
  `cd ${SNABB_SHM}/$pid/${LWAFTR_COUNTERS} 2>/dev/null && set -- *.counter && [ -e "$1" ] || exit 0; ` +
  'now="counters $(cut -d" " -f1 /proc/uptime) $*"; ' +
  'values=$(cat "$@" | od -An -tu8 -v | tr -s " \\n" " "); ' +
  'echo "$now"; echo "$values"; cat "$sample" 2>/dev/null || printf "\\n\\n"; ' +
  'printf "%s\\n%s\\n" "$now" "$values" >"$sample" 2>/dev/null; exit 0';

export interface CounterSample {
  /** Seconds since the guest booted, when read. */
  at: number;
  values: Record<string, number>;
}

/** "counters UPTIME a.counter b.counter" and " 1 2" → a sample; undefined when the lines are not one. */
export function parseSample(header: string | undefined, values: string | undefined): CounterSample | undefined {
  const words = header?.trim().split(/\s+/) ?? [];
  if (words[0] !== 'counters' || words.length < 3) return undefined;
  const names = words.slice(2).map((n) => n.replace(/\.counter$/, ''));
  const numbers = values?.trim().split(/\s+/).map(Number) ?? [];
  if (numbers.length !== names.length || numbers.some((n) => !Number.isFinite(n))) return undefined;
  return { at: Number(words[1]), values: Object.fromEntries(names.map((n, i) => [n, numbers[i]!])) };
}

/** Per second, for the counters both samples have; none when the samples are not in order. */
export function ratesBetween(previous: CounterSample | undefined, now: CounterSample): Record<string, number> | null {
  const seconds = previous ? now.at - previous.at : 0;
  if (!previous || seconds <= 0) return null;
  const rates: [string, number][] = [];
  for (const [name, value] of Object.entries(now.values)) {
    const before = previous.values[name];
    // A counter that went down belongs to another process (a restart): no rate from it.
    if (before !== undefined && value >= before) rates.push([name, Math.round((value - before) / seconds)]);
  }
  return Object.fromEntries(rates);
}

/** The counters a person looks at first: packets in and out per family, drops, ICMP sent. */
export const HEADLINE_COUNTERS: [label: string, counter: string][] = [
  ['in IPv4', 'in-ipv4-packets'],
  ['out IPv4', 'out-ipv4-packets'],
  ['in IPv6', 'in-ipv6-packets'],
  ['out IPv6', 'out-ipv6-packets'],
  ['dropped IPv4', 'drop-all-ipv4-iface-packets'],
  ['dropped IPv6', 'drop-all-ipv6-iface-packets'],
  ['ICMPv4 sent', 'out-icmpv4-packets'],
  ['ICMPv6 sent', 'out-icmpv6-packets'],
];
