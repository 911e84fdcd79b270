// Whether the guest lwAFTR this tool started still runs, asked over SSH.
import { OperationError } from '../errors.js';
import type { RunContext } from '../exec/run-context.js';
import { guestProcessStateArgv } from '../plan/lwaftr-plan.js';

export type GuestState = ({ state: 'running'; pid: number } | { state: 'dead'; pid: number } | { state: 'stopped' }) & {
  lastLine?: string;
};

export async function guestLwaftrState(ctx: RunContext): Promise<GuestState> {
  const g = ctx.paths.guest;
  const r = await ctx.guest().exec(guestProcessStateArgv(g.pidFile, g.log));
  const [first, lastLine] = r.stdout.split('\n');
  const [state, pid] = first!.trim().split(' ');
  if (state === 'running' || state === 'dead')
    return { state, pid: Number(pid), lastLine: lastLine?.trim() || undefined };
  if (state === 'stopped') return { state };
  throw new OperationError(`cannot tell whether the guest lwAFTR runs: ${(r.stderr || r.stdout).trim()}`);
}
