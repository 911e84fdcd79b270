// The dry run's script on the lab, run by sh with the real programs: the printed `all start`
// brings the chain up as lwaftrctl would (lwaftrctl sees it as its own), the printed `all stop`
// takes it all down, and never signals a bystander whose pid was put in a pid file.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAlive } from '../../src/io/proc.js';
import { labInstance, leftovers, NOTHING, requireLab } from '../helpers/lab.js';

const inst = labInstance('dsscript', 10190);
const children: ChildProcess[] = [];

/** The dry run of `what` written to a file beside the config, then run by sh. */
async function runScript(...what: string[]) {
  const dry = await inst.cli('--dry-run', ...what);
  expect(dry.code, dry.stderr).toBe(0);
  const file = path.join(path.dirname(inst.conf), `${what.join('-')}.sh`);
  fs.writeFileSync(file, dry.stdout);
  const r = await execa('sh', [file], { reject: false, stdin: 'ignore', timeout: 180_000 });
  return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr };
}

const states = async () => {
  const s = await inst.status();
  return [s.snabbnfv!.state, s.vm!.state, s.lwaftr!.state];
};

beforeAll(() => requireLab());
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await inst.cleanup();
}, 120_000);

describe('the printed scripts, run by sh on the lab', () => {
  it('start the chain as lwaftrctl would, and stop it all, leaving nothing', async () => {
    const up = await runScript('all', 'start');
    expect(up.code, `${up.stdout}\n${up.stderr}`).toBe(0);
    expect(up.stdout).toContain(': all start: done');
    // lwaftrctl sees the instance as its own: every process proven, the VM pinned, the guest lwAFTR running.
    expect(await states()).toEqual(['running', 'running', 'running']);
    expect((await inst.guest('echo ok')).stdout).toBe('ok');

    const down = await runScript('all', 'stop');
    expect(down.code, `${down.stdout}\n${down.stderr}`).toBe(0);
    expect(down.stdout).toContain(': all stop: done');
    expect(await states()).toEqual(['stopped', 'stopped', 'stopped']);
    expect(leftovers(inst.stateDir)).toEqual(NOTHING);
  }, 240_000);

  it('stop never signals a bystander whose pid is in a pid file', async () => {
    fs.mkdirSync(inst.stateDir, { recursive: true });
    const sleeper = spawn('sleep', ['300'], { stdio: 'ignore' });
    children.push(sleeper);
    for (const f of ['qemu.pid', 'snabbnfv-1.pid', 'snabbnfv-2.pid'])
      fs.writeFileSync(path.join(inst.stateDir, f), `${sleeper.pid}\n`);
    const down = await runScript('all', 'stop');
    expect(down.code, down.stderr).toBe(0);
    expect(down.stderr).toContain(`pid ${sleeper.pid} is not QEMU`);
    expect(down.stderr).toContain(`pid ${sleeper.pid} is not snabbnfv port 1`);
    expect(isAlive(sleeper.pid!)).toBe(true);
    // Its pid files are stale, and go; the bystander stays.
    expect(leftovers(inst.stateDir).runtimeFiles).toEqual([]);
  }, 60_000);
});
