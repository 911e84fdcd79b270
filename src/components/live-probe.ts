// What status asks the live system, each question asked once and shared by the components:
// QEMU's identity, one QMP session (status, chardevs, vCPU threads), and the guest over SSH,
// which is slow and so is asked at once, in parallel with the rest.
import type { GuestProcessState } from '../io/guest-process.js';
import { type Identity, identify } from '../io/process-identity.js';
import { type ChardevInfo, QmpClient, type QmpCpu, vcpuThreadsOf } from '../io/qmp-client.js';
import type { RunContext } from '../run/run-context.js';
import { type GuestLwaftrHealth, readGuestLwaftrHealth } from './lwaftr/guest-lwaftr.js';
import { qemuProcess } from './vm/plan.js';

export interface QmpFacts {
  status: string;
  chardevs: ChardevInfo[];
  vcpuThreads: { vcpu: number; threadId: number }[];
}

export type GuestAnswer =
  | ({ ok: true; lwaftr: GuestProcessState } & Omit<GuestLwaftrHealth, 'process'>)
  | { ok: false; error: Error };

export interface LiveProbe {
  qemu: Identity;
  /** Undefined when QEMU does not run or QMP does not answer. */
  qmp: Promise<QmpFacts | undefined>;
  /** Undefined when QEMU does not run. */
  guest: Promise<GuestAnswer | undefined>;
}

export function probeLive(ctx: RunContext): LiveProbe {
  const qemu = identify(qemuProcess(ctx.config));
  const up = qemu.state === 'running';
  return {
    qemu,
    qmp: up ? askQmp(ctx.paths.qmpSocket) : Promise.resolve(undefined),
    guest: up
      ? readGuestLwaftrHealth(ctx).then(
          ({ process: lwaftr, ...health }): GuestAnswer => ({ ok: true, lwaftr, ...health }),
          (error: Error): GuestAnswer => ({ ok: false, error }),
        )
      : Promise.resolve(undefined),
  };
}

async function askQmp(socket: string): Promise<QmpFacts | undefined> {
  let client: QmpClient | undefined;
  try {
    client = await QmpClient.connect(socket);
    const { status } = await client.execute<{ status: string }>('query-status');
    const chardevs = await client.execute<ChardevInfo[]>('query-chardev');
    const cpus = await client.execute<QmpCpu[]>('query-cpus-fast');
    return { status, chardevs, vcpuThreads: vcpuThreadsOf(cpus) };
  } catch {
    return undefined;
  } finally {
    client?.close();
  }
}
