// Readiness, not sleeps: poll the thing itself until it is ready, gone wrong, or the deadline.
import { interrupted, TimeoutError } from '../errors.js';
import { sleep } from './sleep.js';

export type Check = { ready: true } | { ready: false; status?: string };

export interface WaitOptions {
  what: string;
  timeoutMs: number;
  intervalMs?: number;
  signal?: AbortSignal;
  onProgress?: (elapsedMs: number, status?: string) => void;
  /** Extra text for the timeout error (a log tail). */
  detail?: () => string | undefined;
  hint?: string;
}

/** `check` throws to fail at once (the process it waits on died); returns ready: false to keep waiting. */
export async function waitUntil(check: () => Promise<Check> | Check, opts: WaitOptions): Promise<void> {
  const start = Date.now();
  let lastStatus: string | undefined;
  for (;;) {
    if (opts.signal?.aborted) throw interrupted(opts.what, opts.signal);
    const result = await check();
    if (result.ready) return;
    lastStatus = result.status ?? lastStatus;
    const elapsed = Date.now() - start;
    opts.onProgress?.(elapsed, lastStatus);
    if (elapsed >= opts.timeoutMs)
      throw new TimeoutError(
        `timed out after ${opts.timeoutMs / 1000}s waiting for ` +
          `${opts.what}${lastStatus ? ` (last seen: ${lastStatus})` : ''}`,
        opts.hint,
        opts.detail?.(),
      );
    try {
      await sleep(Math.min(opts.intervalMs ?? 100, opts.timeoutMs - elapsed), opts.signal);
    } catch {
      throw interrupted(opts.what, opts.signal);
    }
  }
}
