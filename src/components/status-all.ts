// The status of every component, gathered in one pass over the live system.
import type { Config } from '../config/types.js';
import { STATUS_EXIT } from '../errors.js';
import { SILENT } from '../run/events.js';
import { createRunContext, type RunContext } from '../run/run-context.js';
import { probeLive } from './live-probe.js';
import { lwaftrStatus } from './lwaftr/status.js';
import { snabbnfvStatus } from './snabbnfv/status.js';
import type { InstanceStatus, Verdict } from './status-types.js';
import { vmStatus } from './vm/status.js';

/** For status and what polls it: silent, and a guest that does not answer in 3 s is reported as such. */
export function statusContext(config: Config): RunContext {
  return createRunContext(config, SILENT, new AbortController().signal, Math.min(config.timeouts.sshConnectMs, 3000));
}

export async function collectStatus(ctx: RunContext): Promise<InstanceStatus> {
  const probe = probeLive(ctx);
  const vm = await vmStatus(ctx, probe);
  // Backends are connected or not only where QEMU serves them and answered; else unknown (null).
  const qemuServes = vm.state !== 'stopped' && vm.state !== 'broken' && vm.state !== 'unknown';
  return {
    snabbnfv: snabbnfvStatus(ctx, qemuServes && vm.backends ? vm.backends : undefined),
    vm,
    lwaftr: await lwaftrStatus(ctx, probe, vm.state),
  };
}

/** LSB: 0 all running, 1 something dead with its pid file left, 3 not (fully) running, 4 unknown. */
export function statusExitCode(verdicts: Verdict[]): number {
  const states = verdicts.map((s) => s.state);
  if (states.every((s) => s === 'running')) return STATUS_EXIT.running;
  if (verdicts.some((s) => s.deadWithPidFile)) return STATUS_EXIT.deadWithPidFile;
  if (states.includes('unknown') || states.includes('foreign')) return STATUS_EXIT.unknown;
  return STATUS_EXIT.stopped;
}
