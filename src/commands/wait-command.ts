// wait: returns as soon as a component (or all) is running or stopped, as status derives it;
// 124 on timeout with the last states seen, 130 on Ctrl-C. For scripts and CI smoke tests.

import type { WaitState } from '../cli/scripting-commands.js';
import type { InstanceStatus } from '../components/status-types.js';
import { TimeoutError } from '../errors.js';
import type { Component } from '../plan/component-names.js';
import { START_ORDER } from '../plan/component-names.js';
import { sleep } from '../util/sleep.js';
import type { CommandContext } from './command-context.js';
import { type GlobalOptions, humanStream, loadForCommand, printConfigWarnings } from './global-options.js';
import { interruption } from './interruption.js';
import { POLL_GAP_MS, statusPoller, verdicts } from './status-poller.js';

export interface WaitOptions extends GlobalOptions {
  /** Seconds; 0 waits for ever. */
  timeout: number;
}

export async function waitCommand(
  component: Component,
  state: WaitState,
  { options, report }: CommandContext<WaitOptions>,
): Promise<number> {
  const shown = component === 'all' ? START_ORDER : [component];
  const began = Date.now();
  let polls = 0;
  let last: InstanceStatus | undefined;
  const fill = () => report.set({ polls, elapsedSeconds: (Date.now() - began) / 1000, last: verdicts(last, shown) });
  report.expect('wait', { component, state, timeoutSeconds: options.timeout, reached: false });
  fill();
  const config = loadForCommand(options);
  report.forConfig(config);
  const poller = statusPoller(config);
  const stop = interruption(`${component} to be ${state}`);
  // Once a script sees anything, Ctrl-C and SIGTERM end the wait with its document.
  printConfigWarnings(config, options);
  const deadline = options.timeout > 0 ? began + options.timeout * 1000 : Number.POSITIVE_INFINITY;
  const expired = () => Date.now() >= deadline;
  // Ends the deadline's timer once there is an answer, so that nothing keeps the process alive.
  const done = new AbortController();
  const deadlineReached = timeLeft(deadline, AbortSignal.any([stop.signal, done.signal]));
  try {
    for (;;) {
      // A poll still under way at the deadline (a guest that does not answer) does not hold the answer back.
      const status = await Promise.race([poller.next(), stop.interrupted, deadlineReached]);
      if (status) {
        last = status;
        polls++;
        fill();
        if (shown.every((c) => status[c].state === state)) break;
      }
      if (expired()) throw timedOut(component, state, options.timeout, last, shown, config.file);
      await Promise.race([sleep(Math.min(POLL_GAP_MS, deadline - Date.now()), stop.signal), stop.interrupted]);
    }
  } finally {
    done.abort();
    fill();
    stop.release();
    poller.close();
  }
  report.set({ reached: true });
  if (!options.json && !options.quiet)
    humanStream(options).write(`${component} ${state} (after ${((Date.now() - began) / 1000).toFixed(1)} s)\n`);
  return 0;
}

/** Resolves undefined at the deadline (never, without one). */
function timeLeft(deadline: number, signal: AbortSignal): Promise<undefined> {
  if (deadline === Number.POSITIVE_INFINITY) return new Promise(() => undefined);
  return sleep(Math.max(0, deadline - Date.now()), signal).then(
    () => undefined,
    () => undefined,
  );
}

function timedOut(
  component: Component,
  state: WaitState,
  timeout: number,
  last: InstanceStatus | undefined,
  shown: readonly (keyof InstanceStatus)[],
  file: string,
): TimeoutError {
  const seen = last
    ? shown.map((c) => `${c} ${last[c].state}${last[c].reason ? ` (${last[c].reason})` : ''}`).join(', ')
    : 'no status yet (the first look did not finish)';
  return new TimeoutError(
    `timed out after ${timeout} s waiting for ${component} to be ${state}; last seen: ${seen}`,
    `lwaftrctl -f ${file} status tells more${last ? fixOf(last, shown) : ''}`,
  );
}

function fixOf(last: InstanceStatus, shown: readonly (keyof InstanceStatus)[]): string {
  const fixes = [...new Set(shown.flatMap((c) => (last[c].fix ? [last[c].fix] : [])))];
  return fixes.length ? `; ${fixes.join('; ')}` : '';
}
