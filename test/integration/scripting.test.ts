// The commands for scripts, CI and terminals on the lab, against real programs: wait while
// another process starts and stops the chain, status --watch, logs (and -f), ssh, console,
// attach, list (also of a state folder outside /run/lwaftrctl). Every --json document is checked.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pointerFile } from '../../src/io/instance-registry.js';
import { eventually } from '../helpers/eventually.js';
import { labInstance, requireLab } from '../helpers/lab.js';
import { CLI } from '../helpers/run-cli.js';
import { testPort } from '../helpers/run-tag.js';
import { expectDocument } from '../helpers/schemas.js';

const serialPort = testPort(10171);
const inst = labInstance('cc', 10170, `VM_PORT=${serialPort}\n`);

/** The CLI (or another program) in the background, its output collected as it comes. */
function background(file: string, args: string[], opts: { stdin?: 'pipe' | 'ignore'; env?: object } = {}) {
  const child = execa(file, args, {
    reject: false,
    stdin: opts.stdin ?? 'ignore',
    env: { TERM: 'xterm', ...opts.env },
    buffer: { stdout: false, stderr: false },
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString('latin1')));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString('latin1')));
  return { child, output: () => out, errors: () => err };
}
const cli = (...args: string[]) => background('node', [CLI, '-f', inst.conf, ...args]);

async function stopped(child: ResultPromise, signal: NodeJS.Signals = 'SIGINT'): Promise<number> {
  child.kill(signal);
  return (await child).exitCode ?? -1;
}

describe('the commands for scripts on the lab', () => {
  const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'lwaftrctl-cc-elsewhere-'));

  beforeAll(() => requireLab());
  afterAll(async () => {
    await inst.cleanup();
    fs.rmSync(pointerFile({ name: `${inst.name}x`, stateDir: path.join(elsewhere, 'state') }), { force: true });
    fs.rmSync(elsewhere, { recursive: true, force: true });
  }, 120_000);

  it('wait vm running returns 0 while all start runs in another process; status --watch follows', async () => {
    const watch = cli('status', '--watch', '--events');
    await eventually('the first look', () => watch.output().includes('"lwaftr"'), { seen: watch.output });
    const start = cli('all', 'start');
    const began = Date.now();
    const wait = await inst.cli('--json', 'wait', 'vm', 'running', '--timeout', '60');
    const waited = Date.now() - began;
    // all start still has the guest lwAFTR to start (seconds over SSH) once the VM runs.
    expect(start.child.exitCode, 'all start had already ended when wait vm running returned').toBeNull();
    expect(wait.code, wait.stderr).toBe(0);
    expect(expectDocument(wait.stdout)).toMatchObject({ reached: true, last: { vm: { state: 'running' } } });
    const started = await start.child;
    const startTook = Date.now() - began;
    expect(started.exitCode, start.errors()).toBe(0);
    const all = await inst.cli('wait', 'all', 'running', '--timeout', '60');
    expect(all.code, all.stderr).toBe(0);
    console.log(
      `wait vm running returned ${(waited / 1000).toFixed(1)} s after all start began; it ended at ${(startTook / 1000).toFixed(1)} s`,
    );
    await eventually(
      'lwaftr running in the watch',
      () => /"component":"lwaftr","state":"running"/.test(watch.output()),
      { seen: watch.output },
    );
    expect(await stopped(watch.child)).toBe(0);
    const changes = watch
      .output()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((e) => e.type === 'state-change');
    expect(changes.slice(0, 3).map((c) => [c.component, c.state, c.was])).toEqual([
      ['snabbnfv', 'stopped', null],
      ['vm', 'stopped', null],
      ['lwaftr', 'stopped', null],
    ]);
    expect(changes.filter((c) => c.component === 'vm').at(-1)).toMatchObject({ state: 'running', instance: inst.name });
  }, 120_000);

  it('logs: the last lines of every source, each prefixed with its file; the tool log readable', async () => {
    const r = await inst.cli('logs', '-n', '2');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const labels = new Set(r.stdout.split('\n').map((l) => l.split(' | ')[0]!.trim()));
    expect([...labels]).toEqual([
      'snabbnfv-1.log',
      'snabbnfv-2.log',
      'qemu.log',
      'console.log',
      'guest:lwaftr.log',
      'lwaftrctl.log',
    ]);
    expect(r.stdout).not.toContain('{"level"');
    expect(r.stdout).toMatch(/lwaftrctl\.log +\| \d{4}-\d\d-\d\dT\S+ \[\d+\] run-end ok=true/);
  });

  it('logs -f: lines written to the guest console and to the guest lwAFTR log as they come', async () => {
    const guestLog = ((await inst.status()).lwaftr!.log as string).replace(/^guest:/, '');
    const follow = cli('logs', '-f', '-n', '0');
    // Over SSH the guest's tail starts when the login is done: write until the line shows. With
    // VM_PORT the kernel console (console.log) is ttyS1; ttyS0 is on telnet.
    await eventually(
      'the guest log line',
      async () => {
        await inst.guest(`echo MARK-guest >> ${guestLog}; echo MARK-console > /dev/ttyS1`);
        return follow.output().includes('MARK-guest') && follow.output().includes('MARK-console');
      },
      { seen: follow.output },
    );
    expect(await stopped(follow.child)).toBe(0);
    expect(follow.output()).toMatch(/^guest:lwaftr\.log +\| MARK-guest$/m);
    expect(follow.output()).toMatch(/^console\.log +\| MARK-console$/m);
  }, 60_000);

  it("ssh: the remote command's words arrive as given, and its exit code is lwaftrctl's", async () => {
    const r = await inst.cli('ssh', '--', 'sh', '-c', 'echo "$1"; exit 7', 'sh', "a  'b' $HOME;");
    expect(r.stdout).toBe("a  'b' $HOME;");
    expect(r.code).toBe(7);
  });

  it("console: attached to the guest's serial port (VM_PORT), what the guest writes there shows", async () => {
    const con = background('node', [CLI, '-f', inst.conf, 'console'], { stdin: 'pipe' });
    await eventually(
      'the serial line',
      async () => {
        await inst.guest('echo MARK-serial > /dev/ttyS0');
        return con.output().includes('MARK-serial');
      },
      { seen: con.output },
    );
    expect(con.errors()).toContain(`the guest's serial port on 127.0.0.1:${serialPort}`);
    con.child.kill('SIGTERM');
    await con.child;
  }, 60_000);

  it('attach snabbnfv 1: screen -r to the session of this instance; Ctrl-a d detaches and it runs on', async () => {
    // screen wants a terminal: script(1) gives it one.
    const att = background('script', ['-qfec', `node ${CLI} -f ${inst.conf} attach snabbnfv 1`, '/dev/null'], {
      stdin: 'pipe',
    });
    await eventually('the backend in the screen', () => /load: time/.test(att.output()), { seen: att.output });
    att.child.stdin!.write('\x01d');
    expect((await att.child).exitCode, att.output()).toBe(0);
    expect(att.output()).toContain('[detached from ');
    expect((await inst.status()).snabbnfv!.state).toBe('running');
  }, 60_000);

  it('list: this instance with its config and states', async () => {
    const began = Date.now();
    const r = await inst.cli('--json', 'list');
    console.log(`list --json with the lab running: ${Date.now() - began} ms`);
    const mine = (expectDocument(r.stdout).instances as Record<string, unknown>[]).find((i) => i.name === inst.name);
    expect(mine).toMatchObject({
      stateDir: inst.stateDir,
      config: inst.conf,
      snabbnfv: { state: 'running' },
      vm: { state: 'running' },
      lwaftr: { state: 'running' },
      note: null,
    });
    const text = await inst.cli('list');
    expect(text.stdout).toMatch(
      new RegExp(`^${inst.name} +running +running +running +${inst.stateDir} +${inst.conf}$`, 'm'),
    );
  }, 30_000);

  it('wait lwaftr stopped returns 0 while all stop runs, wait all stopped once it is done; a wait that cannot be met exits 124', async () => {
    // The guest ignores the power button: all stop then waits out TIMEOUT_POWERDOWN (10 s) before it
    // quits QEMU, so the wait has to answer while all stop still runs, not after a stop of half a second.
    const removed = await inst.guest('rm /etc/acpi/PWRF/00000080 && echo removed');
    expect(removed.stdout, removed.stderr).toBe('removed');
    const stop = cli('all', 'stop');
    const lwaftr = await inst.cli('wait', 'lwaftr', 'stopped', '--timeout', '60');
    expect(stop.child.exitCode, 'all stop had already ended when wait lwaftr stopped returned').toBeNull();
    expect(lwaftr.code, lwaftr.stderr).toBe(0);
    const wait = await inst.cli('wait', 'all', 'stopped', '--timeout', '60');
    expect(wait.code, wait.stderr).toBe(0);
    expect((await stop.child).exitCode, stop.errors()).toBe(0);
    const began = Date.now();
    const r = await inst.cli('--json', 'wait', 'vm', 'running', '--timeout', '3');
    expect(r.code).toBe(124);
    expect(Date.now() - began).toBeLessThan(6000);
    expect(expectDocument(r.stdout)).toMatchObject({ reached: false, last: { vm: { state: 'stopped' } } });
    expect(r.stderr).toContain('timed out after 3 s waiting for vm to be running; last seen: vm stopped');
  }, 90_000);

  it('list finds an instance whose STATE_DIR is outside /run/lwaftrctl through its pointer', async () => {
    const conf = path.join(elsewhere, 'lab.conf');
    const name = `${inst.name}x`;
    fs.writeFileSync(
      conf,
      `${fs.readFileSync(inst.conf, 'utf8').replace(/^NAME=.*$/m, `NAME=${name}`)}STATE_DIR=${elsewhere}/state\n`,
    );
    // A pointer to a folder removed since (a temporary STATE_DIR) is dropped by the next record.
    const removed = pointerFile({ name: `${name}gone`, stateDir: path.join(elsewhere, 'gone') });
    fs.writeFileSync(removed, JSON.stringify({ stateDir: path.join(elsewhere, 'gone') }));
    expect((await execa('node', [CLI, '-f', conf, 'snabbnfv', 'stop'], { reject: false })).exitCode).toBe(0);
    expect(fs.existsSync(pointerFile({ name, stateDir: path.join(elsewhere, 'state') }))).toBe(true);
    expect(fs.existsSync(removed)).toBe(false);
    const doc = expectDocument((await inst.cli('--json', 'list')).stdout);
    const listed = doc.instances as Record<string, unknown>[];
    expect(listed.find((i) => i.name === name)).toMatchObject({
      stateDir: path.join(elsewhere, 'state'),
      config: conf,
      vm: { state: 'stopped' },
    });
    expect(listed.find((i) => i.name === inst.name)).toMatchObject({ vm: { state: 'stopped' } });
  });
});
