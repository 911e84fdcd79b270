// The fields of a VM status that QEMU's identity alone tells, for either engine; each engine's
// status then adds what it asks of QEMU (or libvirt).
import { uptimeSeconds } from '../../io/proc.js';
import type { Identity } from '../../io/process-identity.js';
import type { RunContext } from '../../run/run-context.js';
import type { Verdict, VmStatus } from '../status-types.js';

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
