// One lwaftrctl at a time per instance. The lock file names its holder (pid + start time),
// so a lock left by a killed lwaftrctl is proven stale and taken over, never guessed.
import fs from 'node:fs';
import { BusyError, TimeoutError } from '../errors.js';
import { waitUntil } from '../util/wait-until.js';
import { readCmdline, readProcStat } from './proc.js';
import { type ProcessRecord, readRecord } from './process-identity.js';

export interface HeldLock {
  release(): void;
}

export interface LockWait {
  timeoutMs: number;
  instance: string;
  /** Ctrl-C and SIGTERM end the wait at once. */
  signal?: AbortSignal;
  /** While another run holds it: what is awaited, and for how long so far. */
  onWaiting?: (what: string, elapsedMs: number) => void;
}

export async function acquireLock(file: string, wait: LockWait): Promise<HeldLock> {
  const me = { pid: process.pid, startTime: readProcStat(process.pid)!.startTime };
  // Written aside, then linked into place: the lock never exists without its holder's name.
  const mine = `${file}.${process.pid}`;
  fs.writeFileSync(mine, `${JSON.stringify(me)}\n`);
  let holder: ProcessRecord | undefined;
  const holderText = () => `another lwaftrctl (pid ${holder?.pid}: ${readCmdline(holder?.pid ?? 0).join(' ')})`;
  const tryTake = () => {
    for (;;) {
      try {
        fs.linkSync(mine, file);
        return true;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      holder = readRecord(file);
      const stat = holder && readProcStat(holder.pid);
      // A zombie holder has exited: its parent just has not reaped it yet.
      if (holder && stat && stat.startTime === holder.startTime && stat.state !== 'Z') return false;
      takeOverStale(file, holder);
    }
  };
  try {
    const what = () => `${holderText()} to finish with instance ${wait.instance}`;
    await waitUntil(() => ({ ready: tryTake(), status: holder ? `held by pid ${holder.pid}` : undefined }), {
      what: `the lock of instance ${wait.instance}`,
      timeoutMs: wait.timeoutMs,
      signal: wait.signal,
      onProgress: (elapsedMs) => wait.onWaiting?.(what(), elapsedMs),
    }).catch((err) => {
      if (!(err instanceof TimeoutError)) throw err;
      throw new BusyError(
        `${holderText()} is working on instance ${wait.instance}`,
        `wait for it to finish and try again; if it hangs, stop it with kill ${holder?.pid}`,
      );
    });
    return {
      release: () => {
        if (readRecord(file)?.pid === me.pid) fs.rmSync(file, { force: true });
      },
    };
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
