// Liveness and identity from /proc with real processes: a zombie (exited, not yet reaped: this
// machine's init reaps late) is not alive, and a process of ours that became one reads as dead,
// so its files are cleaned and its pid never signalled.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isAlive, readProcStat } from '../../src/io/proc.js';
import { identify, writeRecord } from '../../src/io/process-identity.js';
import { eventually } from '../helpers/eventually.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lwaftrctl-identity-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A child of sh that has exited and that sh (now `sleep`) never reaps; the parent is killed after. */
async function withZombie(use: (pid: number) => void | Promise<void>): Promise<void> {
  const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const zombie = Number(await new Promise<string>((resolve) => parent.stdout!.once('data', (d) => resolve(`${d}`))));
  try {
    await eventually('the child to be a zombie', () => readProcStat(zombie)?.state === 'Z', { ms: 5000, every: 20 });
    await use(zombie);
  } finally {
    parent.kill('SIGKILL');
  }
}

describe('isAlive', () => {
  it('is true for a running process, false for a zombie and for a pid that is gone', async () => {
    expect(isAlive(process.pid)).toBe(true);
    await withZombie((pid) => expect(isAlive(pid)).toBe(false));
    const gone = spawn('true');
    await new Promise((resolve) => gone.once('exit', resolve));
    expect(isAlive(gone.pid!)).toBe(false);
  });
});

describe('identify', () => {
  const ref = (name: string) => ({
    pidFile: path.join(dir, `${name}.pid`),
    record: path.join(dir, `${name}.json`),
    cmdlineHas: ['sleep'],
    label: name,
  });

  it('a recorded process that became a zombie is dead, not running', async () => {
    await withZombie((pid) => {
      const r = ref('zombie');
      fs.writeFileSync(r.pidFile, `${pid}\n`);
      fs.writeFileSync(r.record, JSON.stringify({ pid, startTime: readProcStat(pid)!.startTime }));
      expect(identify(r)).toEqual({ state: 'dead', pid });
    });
  });

  it('a running process whose record matches is running; with another start time it is foreign', async () => {
    const child = spawn('sleep', ['30']);
    try {
      const r = ref('live');
      fs.writeFileSync(r.pidFile, `${child.pid}\n`);
      await eventually('sleep to exec', () => fs.readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').includes('sleep'));
      const record = writeRecord(r.record, child.pid!)!;
      expect(identify(r)).toEqual({ state: 'running', pid: child.pid, startTime: record.startTime });
      fs.writeFileSync(r.record, JSON.stringify({ pid: child.pid, startTime: '1' }));
      expect(identify(r)).toMatchObject({ state: 'foreign', pid: child.pid });
    } finally {
      child.kill('SIGKILL');
    }
  });
});
