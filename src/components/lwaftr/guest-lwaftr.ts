// Whether the guest lwAFTR this tool started still runs, asked over SSH in one round trip.
import { type GuestProcessState, guestProcessStateArgv, parseGuestProcessState } from '../../io/guest-process.js';
import type { RunContext } from '../../run/run-context.js';

export async function readGuestLwaftr(ctx: Pick<RunContext, 'paths' | 'guest'>): Promise<GuestProcessState> {
  const g = ctx.paths.guest;
  return parseGuestProcessState(await ctx.guest().exec(guestProcessStateArgv(g.pidFile, g.log)), 'the guest lwAFTR');
}
