import { setTimeout as delay } from 'node:timers/promises';

/** Pause between two polls of a readiness check (never a stand-in for one). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return delay(ms, undefined, { signal });
}
