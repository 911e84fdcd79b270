// status again and again, for wait and status --watch: the same collectStatus as status. The
// guest's SSH connection is kept from one poll to the next (a login costs ~0.5 s of CPU under
// TCG); a guest that stops answering on a kept connection is asked once more on a new one, so
// that a dropped connection never shows as a state.
import { collectStatus, statusContext } from '../components/status-all.js';
import type { InstanceStatus, Verdict } from '../components/status-types.js';
import type { Config } from '../config/types.js';
import { type SingleComponent, START_ORDER } from '../plan/component-names.js';

/** The pause between the end of one poll and the start of the next. */
export const POLL_GAP_MS = 500;

export interface StatusPoller {
  next(): Promise<InstanceStatus>;
  close(): void;
}

export function statusPoller(config: Config): StatusPoller {
  const ctx = statusContext(config);
  let connected = false;
  const guestAnswered = (s: InstanceStatus) => s.vm.state !== 'stopped' && s.lwaftr.state !== 'unknown';
  return {
    async next() {
      let status = await collectStatus(ctx);
      if (connected && !guestAnswered(status)) {
        ctx.close();
        status = await collectStatus(ctx);
      }
      connected = guestAnswered(status);
      if (!connected) ctx.close();
      return status;
    },
    close: () => ctx.close(),
  };
}

/** Each component's verdict alone (what wait and watch report), null for those not asked. */
export function verdicts(status: InstanceStatus | undefined, shown: readonly SingleComponent[] = START_ORDER) {
  const of = (c: SingleComponent): Verdict | null => {
    if (!status || !shown.includes(c)) return null;
    const { state, reason, fix, deadWithPidFile } = status[c];
    return { state, reason, fix, deadWithPidFile };
  };
  return { snabbnfv: of('snabbnfv'), vm: of('vm'), lwaftr: of('lwaftr') };
}
