// lwaftr status: the guest process this tool started, asked over SSH with its log's last line.
import type { RunContext } from '../../run/run-context.js';
import type { GuestAnswer, LiveProbe } from '../live-probe.js';
import type { LwaftrStatus, State, Verdict } from '../status-types.js';
import { ratesBetween } from './counters.js';

export async function lwaftrStatus(ctx: RunContext, probe: LiveProbe, vmState: State): Promise<LwaftrStatus> {
  const g = ctx.paths.guest;
  const answer = await probe.guest;
  const lwaftr = answer?.ok ? answer.lwaftr : undefined;
  const counters = answer?.ok && lwaftr?.state === 'running' ? answer.counters : undefined;
  return {
    ...judgeLwaftr(vmState, answer, ctx.config.file),
    pid: lwaftr && lwaftr.state !== 'stopped' ? lwaftr.pid : null,
    lastLine: lwaftr?.lastLine ?? null,
    counters: counters?.values ?? null,
    rates: counters && answer?.ok ? ratesBetween(answer.previous, counters) : null,
    countersAt: counters?.at ?? null,
    log: `guest:${g.log}`,
    pidFile: `guest:${g.pidFile}`,
  };
}

/** Pure: the guest lwAFTR's state from the VM's and the guest's answer. */
export function judgeLwaftr(vmState: State, answer: GuestAnswer | undefined, file: string): Verdict {
  const none = { fix: null, deadWithPidFile: false };
  if (!answer || vmState === 'stopped' || vmState === 'broken')
    return { state: 'stopped', reason: 'the VM is not running', ...none };
  if (!answer.ok)
    return {
      state: 'unknown',
      reason: `cannot reach the guest: ${answer.error.message}`,
      fix: `lwaftrctl -f ${file} vm restart`,
      deadWithPidFile: false,
    };
  const guest = answer.lwaftr;
  if (guest.state === 'running') return { state: 'running', reason: null, ...none };
  if (guest.state === 'dead')
    return {
      state: 'degraded',
      deadWithPidFile: true,
      reason: `the guest lwAFTR (pid ${guest.pid}) died; its pid file is left`,
      fix: `lwaftrctl -f ${file} lwaftr restart`,
    };
  return { state: 'stopped', reason: null, ...none };
}
