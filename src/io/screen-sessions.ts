// GNU screen sessions of this user, read from screen's socket folder as `screen -ls` does,
// without starting a process (status must stay cheap). Dead sessions are left out.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isAlive, readCmdline } from './proc.js';

function screenDir(): string {
  return process.env.SCREENDIR ?? path.join('/run/screen', `S-${os.userInfo().username}`);
}

export function listScreenSessions(): { pid: number; name: string }[] {
  let entries: string[];
  try {
    entries = fs.readdirSync(screenDir());
  } catch {
    return [];
  }
  return entries
    .map((e) => /^(\d+)\.(.+)$/.exec(e))
    .filter((m): m is RegExpExecArray => m !== null && isAlive(Number(m[1])))
    .map((m) => ({ pid: Number(m[1]), name: m[2]! }));
}

/** The command line of a session's SCREEN process: its own options, then the command it runs. */
export function sessionCommand(pid: number): string[] {
  return readCmdline(pid);
}

/** A session lwaftrctl started runs the pid-file wrapper: the pid file is on SCREEN's command line. */
export function isSessionOf(pid: number, pidFile: string): boolean {
  return sessionCommand(pid).includes(pidFile);
}
