// What goes wrong on real hosts, on the lab: each fault is reported clearly (what failed, a log
// tail, the fix), exits with the documented code, and leaves nothing behind — or, where it
// leaves things running, status names them and stop cleans them up.

import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isAlive, readProcStat } from '../../src/io/proc.js';
import { eventually } from '../helpers/eventually.js';
import {
  expectAllStopLeavesNothing,
  killLeftovers,
  type LabInstance,
  labInstance,
  leftovers,
  NOTHING,
  processesMentioning,
  requireLab,
} from '../helpers/lab.js';
import { CLI } from '../helpers/run-cli.js';

beforeAll(requireLab);

/** Until a process killed from outside has exited (a zombie counts: init reaps it late). */
function gone(pid: number): Promise<void> {
  return eventually(`pid ${pid} to exit`, () => !isAlive(pid), { every: 50 });
}

/** One instance per test, cleaned whatever happens. */
let current: LabInstance | undefined;
function instance(name: string, port: number, extra = ''): LabInstance {
  current = labInstance(name, port, extra);
  return current;
}
afterEach(async () => {
  await current?.cleanup();
  current = undefined;
}, 120_000);

describe('snabbnfv faults', () => {
  it('a backend that exits at once (a port file only snabbnfv sees is broken): exit 1, its log tail, nothing left', async () => {
    const inst = instance('fnfv', 10041);
    const broken = path.join(path.dirname(inst.conf), 'broken.cfg');
    // Its MAC is right, so the doctor lets it pass; the Lua is not, which only snabbnfv finds.
    fs.writeFileSync(broken, 'return { { port_id = "1A", mac_address = "52:54:00:00:00:02" }\n');
    fs.appendFileSync(inst.conf, `SNABBNFV_CONF2=${broken}\n`);
    const r = await inst.cli('snabbnfv', 'start');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('snabbnfv port 2 exited right after it started');
    expect(r.stderr).toContain(`--- last`);
    expect(r.stderr).toContain("'}' expected");
    expect(leftovers(inst.stateDir)).toEqual(NOTHING);
  }, 60_000);

  it('a missing port file is a config error: exit 6, nothing started', async () => {
    const inst = instance('fnfv2', 10042, 'SNABBNFV_CONF1=/nonexistent/a.cfg\n');
    const r = await inst.cli('all', 'start');
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(
      /lab\.conf:\d+: SNABBNFV_CONF1: port 1 port file: the port file \/nonexistent\/a\.cfg does not exist/,
    );
    expect(leftovers(inst.stateDir)).toEqual(NOTHING);
  });

  it('a backend killed from outside: status broken with the fix; start recovers', async () => {
    const inst = instance('fkill', 10043);
    expect((await inst.cli('snabbnfv', 'start')).code).toBe(0);
    const pid = Number(fs.readFileSync(path.join(inst.stateDir, 'snabbnfv-2.pid'), 'utf8'));
    process.kill(pid, 'SIGKILL');
    await gone(pid);
    const s = await inst.status();
    expect(s.snabbnfv).toMatchObject({
      state: 'broken',
      reason: 'port 2 died; its pid file is left',
      fix: `lwaftrctl -f ${inst.conf} snabbnfv start`,
    });
    expect((await inst.cli('status', 'snabbnfv')).code).toBe(1);
    const again = await inst.cli('snabbnfv', 'start');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('snabbnfv port 1: already running');
    expect((await inst.status()).snabbnfv!.state).toBe('running');
  }, 60_000);
});

describe('the leak check every test ends with', () => {
  it("finds a running instance's backends by its state folder, and nothing by a name its name extends; ends them", async () => {
    const inst = instance('fleak', 10057);
    expect((await inst.cli('snabbnfv', 'start')).code).toBe(0);
    const found = leftovers(inst.stateDir);
    expect(found.screens.sort()).toEqual([`${inst.name}-snabbnfv-1`, `${inst.name}-snabbnfv-2`]);
    // Both screen sessions and the stand-ins they run.
    expect(found.processes.length).toBeGreaterThanOrEqual(4);
    // Another run's instance may be named this one's name less a character: it sees none of this.
    const shorter = inst.stateDir.slice(0, -1);
    expect(leftovers(shorter)).toEqual(NOTHING);
    killLeftovers(shorter);
    expect((await inst.status()).snabbnfv!.state).toBe('running');
    // The last resort after a failed test ends everything of the instance itself.
    killLeftovers(inst.stateDir);
    await eventually('nothing left of the instance', () => leftovers(inst.stateDir).processes.length === 0);
    expect(leftovers(inst.stateDir)).toEqual(NOTHING);
  }, 60_000);
});

describe('QEMU faults', () => {
  it("a bad option in QEMU_ARGS: all start exits 1 with QEMU's own message and stops the backends it started", async () => {
    const inst = instance('fqemu', 10044, 'QEMU_ARGS=-device no-such-device\n');
    const r = await inst.cli('all', 'start');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('QEMU exited during start-up');
    expect(r.stderr).toContain("'no-such-device' is not a valid device model name");
    expect(r.stderr).toContain('stopping what this run started (snabbnfv)');
    expect(leftovers(inst.stateDir)).toEqual(NOTHING);
  }, 60_000);

  it('a missing kernel is a config error before anything starts', async () => {
    const inst = instance('fkern', 10045, 'BZ_IMAGE=/nonexistent/vmlinuz\n');
    const r = await inst.cli('all', 'start');
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/BZ_IMAGE: kernel file: the kernel \/nonexistent\/vmlinuz does not exist/);
    expect(leftovers(inst.stateDir)).toEqual(NOTHING);
  });

  it('QEMU without its backends is refused at once instead of hanging', async () => {
    const inst = instance('fnob', 10046);
    const began = Date.now();
    const r = await inst.cli('vm', 'start');
    expect(r.code).toBe(1);
    expect(Date.now() - began).toBeLessThan(5000);
    expect(r.stderr).toContain(
      'snabbnfv ports 1 and 2 are not running: QEMU would block until a vhost-user backend connects to every socket',
    );
    expect(r.stderr).toContain(`fix: start the backends first: lwaftrctl -f ${inst.conf} snabbnfv start`);
    expect(leftovers(inst.stateDir)).toEqual(NOTHING);
  });

  it('a guest that never answers SSH: timeout exit 124 with the console tail, QEMU ended', async () => {
    // The initramfs runs a shell instead of init: no sshd will ever listen.
    const inst = instance('fssh', 10047, 'KERNEL_PARAMS=rdinit=/bin/false\nTIMEOUT_SSH=8\n');
    expect((await inst.cli('snabbnfv', 'start')).code).toBe(0);
    const r = await inst.cli('vm', 'start');
    expect(r.code).toBe(124);
    expect(r.stderr).toContain(`timed out after 8s waiting for the guest's SSH on 127.0.0.1:${inst.sshPort}`);
    expect(r.stderr).toContain('lines of guest console');
    expect(r.stderr).toMatch(/fix: check the guest console/);
    expect((await inst.status()).vm!.state).toBe('stopped');
    expect((await inst.cli('all', 'stop')).code).toBe(0);
    expect(leftovers(inst.stateDir)).toEqual(NOTHING);
  }, 90_000);

  it('QEMU dying while the start waits for the guest: it fails at once, naming QEMU, with its log of this run', async () => {
    const inst = instance('fdie', 10055, 'KERNEL_PARAMS=rdinit=/bin/false\nTIMEOUT_SSH=60\n');
    expect((await inst.cli('snabbnfv', 'start')).code).toBe(0);
    fs.writeFileSync(path.join(inst.stateDir, 'qemu.log'), 'a line of an earlier run\n');
    const start = inst.cli('vm', 'start');
    const pidFile = path.join(inst.stateDir, 'qemu.pid');
    // Once QEMU runs the guest (status running over QMP), it is killed from outside.
    await eventually('QMP to say running', async () => (await inst.status()).vm!.qmpStatus === 'running', {
      ms: 30_000,
    });
    process.kill(Number(fs.readFileSync(pidFile, 'utf8')), 'SIGKILL');
    const began = Date.now();
    const r = await start;
    expect(Date.now() - began).toBeLessThan(5000);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("QEMU died while waiting for the guest's SSH");
    expect(r.stderr).not.toContain('a line of an earlier run');
    expect(fs.readFileSync(path.join(inst.stateDir, 'qemu.log.1'), 'utf8')).toBe('a line of an earlier run\n');
    expect((await inst.cli('all', 'stop')).code).toBe(0);
    expect(leftovers(inst.stateDir)).toEqual(NOTHING);
  }, 90_000);

  it('a guest that ignores ACPI powerdown: QMP quit ends it within the configured deadlines', async () => {
    const inst = instance('facpi', 10048, 'TIMEOUT_POWERDOWN=2\n');
    expect((await inst.cli('snabbnfv', 'start')).code).toBe(0);
    expect((await inst.cli('vm', 'start')).code).toBe(0);
    // acpid stays (init respawns it), but with no handler the power button does nothing.
    const removed = await inst.guest('rm /etc/acpi/PWRF/00000080 && echo removed');
    expect(removed.stdout, removed.stderr).toBe('removed');
    const began = Date.now();
    const r = await inst.cli('vm', 'stop');
    const took = Date.now() - began;
    expect(r.code, r.stderr).toBe(0);
    expect(took).toBeGreaterThanOrEqual(2000);
    expect(took).toBeLessThan(2000 + 5000 + 3000);
    const log = fs.readFileSync(path.join(inst.stateDir, 'lwaftrctl.log'), 'utf8');
    expect(log).toMatch(/"execute":"quit"/);
    expect((await inst.cli('all', 'stop')).code).toBe(0);
    expect(leftovers(inst.stateDir)).toEqual(NOTHING);
  }, 90_000);

  it('QEMU killed from outside: vm broken, lwaftr stopped; all start recovers; all stop cleans', async () => {
    const inst = instance('fqkill', 10049);
    expect((await inst.cli('all', 'start')).code).toBe(0);
    const pid = Number(fs.readFileSync(path.join(inst.stateDir, 'qemu.pid'), 'utf8'));
    process.kill(pid, 'SIGKILL');
    await gone(pid);
    const s = await inst.status();
    expect(s.vm).toMatchObject({ state: 'broken', fix: `lwaftrctl -f ${inst.conf} vm start` });
    expect(s.lwaftr!.state).toBe('stopped');
    expect((await inst.cli('status')).code).toBe(1);
    const again = await inst.cli('all', 'start');
    expect(again.code, again.stderr).toBe(0);
    const after = await inst.status();
    expect([after.snabbnfv!.state, after.vm!.state, after.lwaftr!.state]).toEqual(['running', 'running', 'running']);
    expect((await inst.cli('all', 'stop')).code).toBe(0);
    expect(leftovers(inst.stateDir)).toEqual(NOTHING);
  }, 120_000);
});

describe('guest faults', () => {
  let inst: LabInstance;
  beforeAll(async () => {
    inst = labInstance('fguest', 10050);
    expect((await inst.cli('all', 'start')).code).toBe(0);
  }, 120_000);
  afterAll(() => inst.cleanup(), 120_000);

  it('the guest lwAFTR dying after start: status degraded with the fix (exit 1); restart recovers', async () => {
    const pid = (await inst.status()).lwaftr!.pid as number;
    expect((await inst.guest(`kill -KILL ${pid} && echo killed`)).stdout).toBe('killed');
    const s = await inst.status();
    expect(s.lwaftr).toMatchObject({
      state: 'degraded',
      reason: `the guest lwAFTR (pid ${pid}) died; its pid file is left`,
      fix: `lwaftrctl -f ${inst.conf} lwaftr restart`,
    });
    expect((await inst.cli('status', 'lwaftr')).code).toBe(1);
    const logBefore = fs.readFileSync(path.join(inst.stateDir, 'lwaftrctl.log'), 'utf8').length;
    expect((await inst.cli('lwaftr', 'restart')).code).toBe(0);
    expect((await inst.status()).lwaftr!.state).toBe('running');
    // The crashed one's NICs were reset before the new one started (the stop found nothing to signal).
    const steps = fs
      .readFileSync(path.join(inst.stateDir, 'lwaftrctl.log'), 'utf8')
      .slice(logBefore)
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((e) => e.msg === 'step-end' && e.component === 'lwaftr');
    const reset = steps.findIndex((e) => e.detail.argv?.[3] === 'reset');
    const launch = steps.findIndex((e) => e.detail.argv?.[3] === 'launch');
    expect(steps[reset]).toMatchObject({
      ok: true,
      detail: { argv: expect.arrayContaining(['0000:00:08.0', '0000:00:09.0']) },
    });
    expect(reset).toBeLessThan(launch);
  }, 60_000);

  it('a changed guest host key is refused with what to do', async () => {
    const kh = path.join(path.dirname(inst.conf), 'changed_known_hosts');
    // A valid ed25519 key that is not the guest's.
    await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(path.dirname(inst.conf), 'other')]);
    const other = fs
      .readFileSync(path.join(path.dirname(inst.conf), 'other.pub'), 'utf8')
      .split(' ')
      .slice(0, 2)
      .join(' ');
    fs.writeFileSync(kh, `[127.0.0.1]:* ${other}\n`);
    const changed = inst.conf.replace(/\.conf$/, '-changed.conf');
    fs.writeFileSync(changed, `${fs.readFileSync(inst.conf, 'utf8')}VM_KNOWN_HOSTS=${kh}\n`);
    const r = await execa('node', [CLI, '-f', changed, 'lwaftr', 'restart'], { reject: false, stdin: 'ignore' });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(`the guest's SSH host key for [127.0.0.1]:${inst.sshPort} has CHANGED`);
    expect(r.stderr).toContain(
      `fix: if the guest was rebuilt and you trust it, remove the old key: ssh-keygen -R '[127.0.0.1]:${inst.sshPort}' -f ${kh}`,
    );
    // Nothing was done in the guest: the lwAFTR still runs.
    expect((await inst.status()).lwaftr!.state).toBe('running');
  }, 60_000);
});

describe('lwaftrctl itself interrupted', () => {
  async function interruptDuringVmStart(inst: LabInstance, signal: 'SIGKILL' | 'SIGINT') {
    const child = execa('node', [CLI, '-f', inst.conf, 'all', 'start'], {
      reject: false,
      stdin: 'ignore',
    });
    const qemuPid = path.join(inst.stateDir, 'qemu.pid');
    await eventually("QEMU's pid file", () => fs.existsSync(qemuPid), { ms: 30_000, every: 50 });
    child.kill(signal);
    return child;
  }

  it('SIGKILL in the middle of all start: status is truthful, all start finishes the job, all stop cleans everything', async () => {
    const inst = instance('fsigkill', 10051);
    await interruptDuringVmStart(inst, 'SIGKILL');
    const s = await inst.status();
    expect(s.snabbnfv!.state).toBe('running');
    expect(['running', 'degraded']).toContain(s.vm!.state);
    expect(s.lwaftr!.state).not.toBe('running');
    const resumed = await inst.cli('all', 'start');
    expect(resumed.code, resumed.stderr).toBe(0);
    expect((await inst.status()).lwaftr!.state).toBe('running');
    await expectAllStopLeavesNothing(inst);
  }, 90_000);

  it('Ctrl-C (SIGINT) in the middle of all start: exit 130, lock released; all stop cleans everything', async () => {
    const inst = instance('fsigint', 10052);
    const child = await interruptDuringVmStart(inst, 'SIGINT');
    const result = await child;
    expect(result.exitCode).toBe(130);
    expect(fs.existsSync(path.join(inst.stateDir, 'lock'))).toBe(false);
    const s = await inst.status();
    expect(s.snabbnfv!.state).toBe('running');
    await expectAllStopLeavesNothing(inst);
  }, 90_000);

  it('two all start at once: one does the work, the other fails clearly (busy, 75); one QEMU', async () => {
    const inst = instance('ftwo', 10053, 'TIMEOUT_LOCK=2\n');
    const [a, b] = await Promise.all([inst.cli('all', 'start'), inst.cli('all', 'start')]);
    expect([a.code, b.code].sort()).toEqual([0, 75]);
    expect([a, b].find((x) => x.code === 75)!.stderr).toMatch(
      new RegExp(`another lwaftrctl \\(pid \\d+: .*all start\\) is working on instance ${inst.name}$`, 'm'),
    );
    expect(processesMentioning(path.join(inst.stateDir, 'qemu.pid'))).toHaveLength(1);
    expect((await inst.cli('all', 'stop')).code).toBe(0);
    expect(leftovers(inst.stateDir)).toEqual(NOTHING);
  }, 120_000);
});

describe('a pid file whose pid now belongs to an unrelated process', () => {
  it('is never signalled; status says stopped; stop removes only the stale file', async () => {
    const inst = instance('fpid', 10054);
    const stranger = execa('sleep', ['60'], { reject: false });
    fs.mkdirSync(inst.stateDir, { recursive: true });
    fs.writeFileSync(path.join(inst.stateDir, 'snabbnfv-1.pid'), `${stranger.pid}\n`);
    fs.writeFileSync(path.join(inst.stateDir, 'qemu.pid'), `${stranger.pid}\n`);
    fs.writeFileSync(path.join(inst.stateDir, 'qemu.json'), JSON.stringify({ pid: stranger.pid, startTime: '1' }));
    const s = await inst.status();
    expect([s.snabbnfv!.state, s.vm!.state]).toEqual(['stopped', 'stopped']);
    const r = await inst.cli('all', 'stop');
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`is not snabbnfv port 1`);
    expect(readProcStat(stranger.pid!)?.state).toMatch(/^[RS]$/);
    expect(fs.existsSync(path.join(inst.stateDir, 'snabbnfv-1.pid'))).toBe(false);
    stranger.kill('SIGKILL');
  }, 30_000);
});
