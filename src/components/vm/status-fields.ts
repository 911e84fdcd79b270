// What both VM engines' status share: the fields QEMU's identity alone tells, the facts a running
// QEMU is judged by, and how those facts are gathered once an engine has asked QEMU (or libvirt).
import { uptimeSeconds } from '../../io/proc.js';
import type { Identity } from '../../io/process-identity.js';
import { sshBannerAnswers } from '../../io/ssh-banner.js';
import type { RunContext } from '../../run/run-context.js';
import type { LiveProbe } from '../live-probe.js';
import type { PinningStatus, Verdict, VmStatus } from '../status-types.js';
import { comparePinning, readThreadAffinities } from './pinning.js';
import { resolveVmSpec } from './spec.js';

export type VmFields = Omit<VmStatus, keyof Verdict>;

export function vmFieldsOf(
  ctx: RunContext,
  id: Identity,
  engine: VmStatus['engine'],
  where: { qmpSocket: string; logs: VmStatus['logs'] },
): VmFields {
  return {
    engine,
    domain: null,
    pid: id.state === 'running' || id.state === 'dead' ? id.pid : null,
    uptimeSeconds: id.state === 'running' ? (uptimeSeconds(id.startTime) ?? null) : null,
    qmpStatus: null,
    backends: null,
    guestReachable: null,
    pinning: null,
    ssh: `${ctx.config.ssh.host}:${ctx.config.ssh.port}`,
    ...where,
    note: null,
  };
}

export interface VmFacts {
  qemu: 'running' | 'dead' | 'foreign' | 'stopped';
  pid?: number | null;
  /** Both snabbnfv backends run: without them a vm start is refused, so the fix starts them too. */
  backendsUp?: boolean;
  qmpStatus?: string | null;
  backends?: Record<string, boolean> | null;
  guestReachable?: boolean;
  pinningOk?: boolean;
}

/** A running QEMU: what its engine asked of it, the guest's SSH and the live pinning, as shown and as judged. */
export async function runningVmFacts(
  ctx: RunContext,
  probe: LiveProbe,
  pid: number,
  seen: {
    qmpStatus: string | null;
    backends: Record<string, boolean> | null;
    threads?: { vcpu: number; threadId: number }[];
  },
): Promise<{ shown: Pick<VmStatus, 'qmpStatus' | 'backends' | 'guestReachable' | 'pinning'>; facts: VmFacts }> {
  // A guest that answered the SSH probe is reachable; otherwise its banner tells whether sshd is up at all.
  const guestReachable = (await probe.guest)?.ok || (await sshBannerAnswers(ctx.config.ssh.host, ctx.config.ssh.port));
  const pinning: PinningStatus | null = seen.threads
    ? comparePinning(resolveVmSpec(ctx.config).pinning, seen.threads, readThreadAffinities(pid))
    : null;
  const shown = { qmpStatus: seen.qmpStatus, backends: seen.backends, guestReachable, pinning };
  return { shown, facts: { qemu: 'running', pid, ...shown, pinningOk: pinning?.ok ?? true } };
}
