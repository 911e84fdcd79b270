// What /proc says about a process: alive (zombies are not), start time, command line,
// threads and their CPU affinity. Linux only, like the product.
import fs from 'node:fs';

export interface ProcStat {
  state: string;
  ppid: number;
  /** Clock ticks since boot; with the pid it names one process for good. */
  startTime: string;
}

export function readProcStat(pid: number, tid?: number): ProcStat | undefined {
  try {
    const text = fs.readFileSync(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`, 'utf8');
    // The command name may contain spaces and parentheses: fields start after the last ")".
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0]!, ppid: Number(fields[1]), startTime: fields[19]! };
  } catch {
    return undefined;
  }
}

/** Alive and not a zombie (this machine's init reaps orphans only every few seconds). */
export function isAlive(pid: number): boolean {
  const stat = readProcStat(pid);
  return stat !== undefined && stat.state !== 'Z' && stat.state !== 'X';
}

export function readCmdline(pid: number): string[] {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, -1);
  } catch {
    return [];
  }
}

export function listThreads(pid: number): number[] {
  try {
    return fs
      .readdirSync(`/proc/${pid}/task`)
      .map(Number)
      .sort((a, b) => a - b);
  } catch {
    return [];
  }
}

export function threadAffinity(pid: number, tid: number): string | undefined {
  try {
    return /^Cpus_allowed_list:\s*(\S+)/m.exec(fs.readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}

export function uptimeSeconds(startTime: string): number | undefined {
  try {
    const bootSeconds = Number(fs.readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
    return Math.max(0, Math.round(bootSeconds - Number(startTime) / CLOCK_TICKS));
  } catch {
    return undefined;
  }
}

/** USER_HZ is 100 on every Linux architecture we run on. */
const CLOCK_TICKS = 100;
