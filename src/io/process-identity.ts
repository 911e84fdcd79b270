// Is the process behind a pid file the one this tool started? Pid file + recorded start
// time + command line must all agree; anything else is never signalled.
import fs from 'node:fs';
import { isAlive, readCmdline, readProcStat } from './proc.js';

/** A process the tool started, proven by its pid file plus what its command line must contain. */
export interface ProcessRef {
  pidFile: string;
  /** Identity record (pid, start time, cmdline) written by the tool after start. */
  record: string;
  cmdlineHas: string[];
  label: string;
}

export interface ProcessRecord {
  pid: number;
  startTime: string;
}

export type Identity =
  | { state: 'running'; pid: number; startTime: string }
  /** Files left, process gone: safe to clean. */
  | { state: 'dead'; pid: number }
  /** The pid now belongs to someone else: never signal it. */
  | { state: 'foreign'; pid: number; reason: string }
  | { state: 'stopped' };

export function readPidFile(file: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(file, 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function readRecord(file: string): ProcessRecord | undefined {
  try {
    const r = JSON.parse(fs.readFileSync(file, 'utf8')) as ProcessRecord;
    return Number.isInteger(r.pid) && typeof r.startTime === 'string' ? r : undefined;
  } catch {
    return undefined;
  }
}

/** Records pid and start time of a process this tool has just started. */
export function writeRecord(file: string, pid: number): ProcessRecord | undefined {
  const stat = readProcStat(pid);
  if (!stat) return undefined;
  const record = { pid, startTime: stat.startTime };
  fs.writeFileSync(file, `${JSON.stringify(record)}\n`);
  return record;
}

export function identify(ref: ProcessRef): Identity {
  const record = readRecord(ref.record);
  const pid = readPidFile(ref.pidFile) ?? record?.pid;
  if (pid === undefined) return { state: 'stopped' };
  if (!isAlive(pid)) return { state: 'dead', pid };
  const stat = readProcStat(pid)!;
  if (record && (record.pid !== pid || record.startTime !== stat.startTime))
    return {
      state: 'foreign',
      pid,
      reason: `pid ${pid} started at another time than the one lwaftrctl recorded: it is another process now`,
    };
  const cmdline = readSettledCmdline(pid);
  const missing = ref.cmdlineHas.filter((s) => !cmdline.includes(s));
  if (missing.length > 0)
    return {
      state: 'foreign',
      pid,
      reason: `pid ${pid} is not ${ref.label} (its command line lacks ${missing.join(' ')})`,
    };
  return { state: 'running', pid, startTime: stat.startTime };
}

/**
 * A process in the middle of execve shows an empty command line for a moment (taskset exec'ing
 * QEMU, sh exec'ing snabb): read again briefly. A kernel thread's stays empty, and is not ours.
 */
function readSettledCmdline(pid: number): string[] {
  for (let tries = 0; tries < 20; tries++) {
    const cmdline = readCmdline(pid);
    if (cmdline.length > 0 || !isAlive(pid)) return cmdline;
    Atomics.wait(PAUSE, 0, 0, 1);
  }
  return [];
}
const PAUSE = new Int32Array(new SharedArrayBuffer(4));

/** Removes a pid file and record only once identify() has proven the process gone. */
export function removeStaleFiles(ref: ProcessRef): void {
  const id = identify(ref);
  if (id.state === 'dead' || id.state === 'foreign' || id.state === 'stopped') {
    fs.rmSync(ref.pidFile, { force: true });
    fs.rmSync(ref.record, { force: true });
  }
}
