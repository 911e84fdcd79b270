// What a snabbnfv backend has moved to and from its VM, read where Snabb keeps every link's
// counters (core/link.lua): /var/run/snabb/<pid>/links/<from> -> <to>/<name>.counter, 8 bytes each.
// snabbnfv's links into a VM port end in "<port>_Virtio.rx"; those out of it begin "<port>_Virtio.tx".
import fs from 'node:fs';
import path from 'node:path';
import type { BackendTraffic } from '../status-types.js';

/** The host's Snabb shm root (Snabb's default; SNABB_SHM_ROOT moves it, for Snabb and for this). */
export function hostShmRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.SNABB_SHM_ROOT || '/var/run/snabb';
}

/** The sums over the process's VM links, or null when it publishes none (not Snabb, or not yet). */
export function readBackendTraffic(shmRoot: string, pid: number): BackendTraffic | null {
  const links = path.join(shmRoot, String(pid), 'links');
  let specs: string[];
  try {
    specs = fs.readdirSync(links);
  } catch {
    return null;
  }
  const toVm = specs.filter((s) => /_Virtio\.rx$/.test(s));
  const fromVm = specs.filter((s) => /^\S+_Virtio\.tx ->/.test(s));
  if (toVm.length === 0 && fromVm.length === 0) return null;
  // The VM's app counts what it takes off a link into the VM (rx), and what it puts on one out (tx).
  const sum = (specsOf: string[], counter: string) =>
    specsOf.reduce((total, spec) => total + (readCounter(path.join(links, spec, `${counter}.counter`)) ?? 0), 0);
  return {
    toVmPackets: sum(toVm, 'rxpackets'),
    toVmBytes: sum(toVm, 'rxbytes'),
    fromVmPackets: sum(fromVm, 'txpackets'),
    fromVmBytes: sum(fromVm, 'txbytes'),
  };
}

/** One Snabb counter: an unsigned 64-bit integer in the CPU's byte order (little endian on x86). */
export function readCounter(file: string): number | undefined {
  try {
    const bytes = fs.readFileSync(file);
    return bytes.length === 8 ? Number(bytes.readBigUInt64LE(0)) : undefined;
  } catch {
    return undefined;
  }
}
