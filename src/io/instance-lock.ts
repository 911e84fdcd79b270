// One lwaftrctl at a time per instance. The lock file names its holder (pid + start time),
// so a lock left by a killed lwaftrctl is proven stale and taken over, never guessed.
import fs from 'node:fs';
import { BusyError } from '../errors.js';
import { sleep } from '../util/sleep.js';
import { readCmdline, readProcStat } from './proc.js';
import { type ProcessRecord, readRecord } from './process-identity.js';

export interface HeldLock {
  release(): void;
}

export async function acquireLock(file: string, timeoutMs: number, instance: string): Promise<HeldLock> {
  const me = { pid: process.pid, startTime: readProcStat(process.pid)!.startTime };
  const deadline = Date.now() + timeoutMs;
  // Written aside, then linked into place: the lock never exists without its holder's name.
  const mine = `${file}.${process.pid}`;
  fs.writeFileSync(mine, `${JSON.stringify(me)}\n`);
  try {
    for (;;) {
      try {
        fs.linkSync(mine, file);
        return {
          release: () => {
            if (readRecord(file)?.pid === me.pid) fs.rmSync(file, { force: true });
          },
        };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const holder = readRecord(file);
      if (!holder || readProcStat(holder.pid)?.startTime !== holder.startTime) {
        takeOverStale(file, holder);
        continue;
      }
      if (Date.now() >= deadline)
        throw new BusyError(
          `another lwaftrctl (pid ${holder.pid}: ${readCmdline(holder.pid).join(' ')}) is working on instance ` +
            `${instance}`,
          `wait for it to finish and try again; if it hangs, stop it with kill ${holder.pid}`,
        );
      await sleep(100);
    }
  } finally {
    fs.rmSync(mine, { force: true });
  }
}

/** Moves a dead holder's lock aside; if another run replaced it meanwhile, puts that one back. */
function takeOverStale(file: string, stale: ProcessRecord | undefined): void {
  const aside = `${file}.stale-${process.pid}`;
  try {
    fs.renameSync(file, aside);
  } catch {
    return;
  }
  const moved = readRecord(aside);
  if (moved && (moved.pid !== stale?.pid || moved.startTime !== stale?.startTime)) {
    try {
      fs.linkSync(aside, file);
    } catch {
      // Someone holds it already; theirs stands.
    }
  }
  fs.rmSync(aside, { force: true });
}
