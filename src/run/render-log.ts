// The tool's own log: every event of a run as one JSON line (pino) in the state folder, written
// synchronously so that it holds the last step even when lwaftrctl is killed.
import { pino } from 'pino';
import type { LifecycleEvent, Timestamped } from './events.js';

const LEVELS: Partial<Record<LifecycleEvent['type'], 'warn' | 'error'>> = {
  warning: 'warn',
  escalation: 'warn',
  rollback: 'warn',
  problem: 'warn',
};

export function logRenderer(file: string, instance: string): (e: Timestamped) => void {
  const log = pino(
    { base: { instance, pid: process.pid } },
    pino.destination({ dest: file, sync: true, append: true }),
  );
  return ({ type, ts: _, ...fields }) => {
    const failed = 'ok' in fields && fields.ok === false;
    log[failed ? 'error' : (LEVELS[type] ?? 'info')](fields, type);
  };
}
