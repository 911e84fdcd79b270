// The guest lwAFTR this tool started, asked over SSH in one round trip: whether it still runs and,
// for status, its counters.
import path from 'node:path';
import { type GuestProcessState, guestProcessStateArgv, parseGuestProcessState } from '../../io/guest-process.js';
import type { RunContext } from '../../run/run-context.js';
import { type CounterSample, GUEST_LWAFTR_STATUS, parseSample } from './counters.js';

export async function readGuestLwaftr(ctx: Pick<RunContext, 'paths' | 'guest'>): Promise<GuestProcessState> {
  const g = ctx.paths.guest;
  return parseGuestProcessState(await ctx.guest().exec(guestProcessStateArgv(g.pidFile, g.log)), 'the guest lwAFTR');
}

export interface GuestLwaftrHealth {
  process: GuestProcessState;
  /** Its counters now, and the sample the previous status took. */
  counters?: CounterSample;
  previous?: CounterSample;
}

export async function readGuestLwaftrHealth(ctx: Pick<RunContext, 'paths' | 'guest'>): Promise<GuestLwaftrHealth> {
  const g = ctx.paths.guest;
  const sample = path.posix.join(g.dir, 'counters.sample');
  const r = await ctx.guest().exec(['sh', '-c', GUEST_LWAFTR_STATUS, 'status', g.pidFile, g.log, sample]);
  const [state, last, header, values, prevHeader, prevValues] = r.stdout.split('\n');
  const process = parseGuestProcessState({ ...r, stdout: `${state}\n${last ?? ''}` }, 'the guest lwAFTR');
  return { process, counters: parseSample(header, values), previous: parseSample(prevHeader, prevValues) };
}
