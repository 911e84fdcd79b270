// GNU screen sessions of this user, read from screen's socket folder as `screen -ls` does,
// without starting a process (status must stay cheap). Dead sessions are left out.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isAlive } from './proc.js';

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
