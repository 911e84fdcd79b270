// The tool's own log: every event of a run as one JSON line (pino) in the state folder, written
// synchronously so that it holds the last step even when lwaftrctl is killed.
import fs from 'node:fs';
import { pino } from 'pino';
import type { LifecycleEvent, Timestamped } from './events.js';

const LEVELS: Partial<Record<LifecycleEvent['type'], 'warn' | 'error'>> = {
  warning: 'warn',
  escalation: 'warn',
  rollback: 'warn',
  problem: 'warn',
};

/** The log is kept under this size: beyond it, it becomes .1 (one generation) and a new one begins. */
export const MAX_TOOL_LOG_BYTES = 1024 * 1024;

export function logRenderer(file: string, instance: string): (e: Timestamped) => void {
  rotateIfBig(file);
  const log = pino(
    { base: { instance, pid: process.pid } },
    pino.destination({ dest: file, sync: true, append: true }),
  );
  return ({ type, ts: _, ...fields }) => {
    const failed = 'ok' in fields && fields.ok === false;
    log[failed ? 'error' : (LEVELS[type] ?? 'info')](fields, type);
  };
}

function rotateIfBig(file: string): void {
  try {
    if (fs.statSync(file).size > MAX_TOOL_LOG_BYTES) fs.renameSync(file, `${file}.1`);
  } catch {
    // No log yet.
  }
}
