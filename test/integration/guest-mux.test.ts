// The instance's kept-open guest connection on the lab: status logs in once and then goes
// through it, a killed one or an edited known_hosts is no problem, it ends when idle and on
// vm stop, and a bystander with its pid is never signalled.

import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { muxFiles, muxProcess } from '../../src/io/guest-mux.js';
import { isAlive, readProcStat } from '../../src/io/proc.js';
import { identify } from '../../src/io/process-identity.js';
import { eventually } from '../helpers/eventually.js';
import { LAB, labInstance, leftovers, NOTHING, requireLab } from '../helpers/lab.js';
import { runCli } from '../helpers/run-cli.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lwaftrctl-gmux-'));
// The instance's own known_hosts, so that one test can edit it under the running connection.
const knownHosts = path.join(dir, 'known_hosts');
fs.copyFileSync(path.join(LAB, 'keys', 'known_hosts'), knownHosts);
const inst = labInstance('gmux', 10120, `VM_KNOWN_HOSTS=${knownHosts}\n`);
const mux = (f: string) => path.join(inst.stateDir, `mux.${f}`);

/** The mux's pid once it is proven ours and answers on its socket (it listens only once logged in). */
async function servingMux(): Promise<number> {
  const ref = muxProcess(muxFiles(inst.stateDir));
  const answers = () =>
    new Promise<boolean>((resolve) => {
      const c = net.createConnection({ path: mux('sock') }, () => resolve(true)).on('error', () => resolve(false));
      c.on('connect', () => c.destroy());
    });
  await eventually('the kept-open connection serves', async () => identify(ref).state === 'running' && answers(), {
    ms: 30_000,
  });
  return Number(fs.readFileSync(mux('pid'), 'utf8'));
}

/** The guest lwAFTR's part of status --json: the answer the guest gave over SSH. */
async function guestAnswer(env?: Record<string, string>) {
  const r = await runCli(['-f', inst.conf, '--json', 'status'], { env });
  return JSON.parse(r.stdout).lwaftr as { state: string; reason: string | null };
}

/** Logins the lab guest's dropbear has accepted: it logs each on the console. */
function guestLogins(): number {
  return (fs.readFileSync(path.join(inst.stateDir, 'console.log'), 'utf8').match(/Pubkey auth succeeded/g) ?? [])
    .length;
}

describe('the kept-open guest connection', () => {
  let bystander: ResultPromise | undefined;

  beforeAll(async () => {
    requireLab();
    for (const component of ['snabbnfv', 'vm']) {
      const r = await inst.cli(component, 'start');
      expect(r.code, r.stderr).toBe(0);
    }
  }, 180_000);

  afterAll(async () => {
    bystander?.kill('SIGKILL');
    await inst.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('status logs into the guest once, then every status goes through the kept-open connection', async () => {
    const before = guestLogins();
    expect((await guestAnswer()).state).toBe('stopped'); // logs in itself, then leaves the mux
    await servingMux();
    expect(fs.statSync(mux('sock')).mode & 0o777).toBe(0o600);
    const answers = await Promise.all([1, 2, 3, 4].map(() => guestAnswer()));
    expect(answers.map((a) => a.state)).toEqual(['stopped', 'stopped', 'stopped', 'stopped']);
    // One login of the test's own, to know the console has caught up: then 3 in all.
    expect((await inst.guest('true')).code).toBe(0);
    await eventually("the test's own login on the console", () => guestLogins() >= before + 3, { ms: 30_000 });
    expect(guestLogins()).toBe(before + 3);
  }, 60_000);

  it('a killed one is no problem: status logs in itself and leaves a new one', async () => {
    const killed = await servingMux();
    process.kill(killed, 'SIGKILL');
    // Reaped, not just dead: the lock it left names it, and a zombie still has its start time.
    await eventually('the killed mux reaped', () => readProcStat(killed) === undefined);
    expect((await guestAnswer()).state).toBe('stopped');
    expect(await servingMux()).not.toBe(killed);
  }, 60_000);

  it('a guest key known_hosts no longer holds is refused, not hidden by the open connection', async () => {
    const pid = await servingMux();
    const good = fs.readFileSync(knownHosts, 'utf8');
    await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'other')]);
    const other = fs.readFileSync(path.join(dir, 'other.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
    fs.writeFileSync(knownHosts, `[127.0.0.1]:* ${other}\n`);
    const refused = await guestAnswer();
    expect(refused.state).toBe('unknown');
    expect(refused.reason).toContain('has CHANGED');
    await eventually('the mux ends', () => !isAlive(pid));
    fs.writeFileSync(knownHosts, good);
    expect((await guestAnswer()).state).toBe('stopped');
    await servingMux();
  }, 60_000);

  it('ends by itself after its idle time, and takes its files with it', async () => {
    process.kill(await servingMux(), 'SIGTERM');
    await eventually('the mux gone', () => !fs.existsSync(mux('sock')));
    await guestAnswer({ LWAFTRCTL_GUEST_MUX_IDLE: '2' });
    const pid = await servingMux();
    await eventually('the idle mux gone', () => !isAlive(pid));
    expect(['sock', 'pid', 'json'].filter((f) => fs.existsSync(mux(f)))).toEqual([]);
    expect(fs.readFileSync(mux('log'), 'utf8')).toContain(`guest mux ${pid}: exits: idle for 2s`);
  }, 60_000);

  it('all stop ends it and leaves nothing', async () => {
    await guestAnswer();
    const pid = await servingMux();
    const r = await inst.cli('all', 'stop');
    expect(r.code, r.stderr).toBe(0);
    expect(isAlive(pid)).toBe(false);
    // Ended by vm stop itself, not by its connection dropping with QEMU.
    expect(fs.readFileSync(mux('log'), 'utf8')).toContain(`guest mux ${pid}: exits: stopped (SIGTERM)`);
    expect(leftovers(inst.stateDir)).toEqual(NOTHING);
  }, 60_000);

  it('vm stop never signals a bystander that has its pid and identity record', async () => {
    bystander = execa('sleep', ['600'], { reject: false });
    const pid = bystander.pid!;
    fs.writeFileSync(mux('pid'), `${pid}\n`);
    fs.writeFileSync(mux('json'), `${JSON.stringify({ pid, startTime: readProcStat(pid)!.startTime })}\n`);
    const r = await inst.cli('vm', 'stop');
    expect(r.code, r.stderr).toBe(0);
    expect(isAlive(pid)).toBe(true);
    expect(leftovers(inst.stateDir)).toEqual(NOTHING);
  });
});
