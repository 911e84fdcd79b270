// The product's job on the lab: the full cycle with status telling the truth at each step,
// bystanders untouched, idempotent start/stop, the lock, a second instance, pinning.

import fs from 'node:fs';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readProcStat } from '../../src/io/proc.js';
import { eventually } from '../helpers/eventually.js';
import { guestLinkUp, labInstance, leftovers, NOTHING, requireLab, screenSessions } from '../helpers/lab.js';
import { testName } from '../helpers/run-tag.js';
import { expectDocument } from '../helpers/schemas.js';

const inst = labInstance('cycle', 10032);
const PCIS = ['0000:00:08.0', '0000:00:09.0'];

describe('the full cycle', () => {
  const bystanders: ResultPromise[] = [];

  beforeAll(async () => {
    requireLab();
    // Another user's snabbnfv and another QEMU on the same host.
    bystanders.push(
      execa('sh', ['-c', 'sleep 600', 'snabbnfv', 'traffic', 'soft', '/tmp/other.cfg', '/tmp/other.sock'], {
        reject: false,
      }),
    );
    bystanders.push(
      execa('qemu-system-x86_64', ['-machine', 'none', '-display', 'none', '-nodefaults', '-S'], { reject: false }),
    );
  });

  afterAll(async () => {
    for (const b of bystanders) b.kill('SIGKILL');
    await inst.cleanup();
  }, 120_000);

  it('all start brings up the three and status --json says running', async () => {
    const r = await inst.cli('all', 'start');
    expect(r.code, r.stderr).toBe(0);
    const status = await inst.status();
    expect([status.snabbnfv!.state, status.vm!.state, status.lwaftr!.state]).toEqual(['running', 'running', 'running']);
    expect((await inst.cli('status')).code).toBe(0);
  }, 120_000);

  it('pins vCPU threads and the other QEMU threads to their cores (verified from /proc)', async () => {
    const pid = Number(fs.readFileSync(path.join(inst.stateDir, 'qemu.pid'), 'utf8'));
    const threads = fs.readdirSync(`/proc/${pid}/task`).map((tid) => ({
      name: fs.readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim(),
      cpus: /Cpus_allowed_list:\s*(\S+)/.exec(fs.readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8'))![1],
    }));
    const vcpus = threads.filter((t) => /^CPU \d+\//.test(t.name));
    expect(vcpus.length).toBe(1);
    expect(vcpus.every((t) => t.cpus === '1')).toBe(true);
    expect(threads.filter((t) => !/^CPU \d+\//.test(t.name)).every((t) => t.cpus === '0')).toBe(true);
    const status = await inst.status();
    expect((status.vm!.pinning as { ok: boolean }).ok).toBe(true);
  });

  it('start again is a no-op that says so and exits 0', async () => {
    const pids = (await inst.status()).vm!.pid;
    const r = await inst.cli('all', 'start');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('already running');
    expect((await inst.status()).vm!.pid).toBe(pids);
  });

  it('snabbnfv restart while the VM runs: the backends reconnect and the guest links come back', async () => {
    const r = await inst.cli('snabbnfv', 'restart');
    expect(r.code, r.stderr).toBe(0);
    for (const pci of PCIS)
      await eventually(`guest link ${pci} up`, () => guestLinkUp(inst, pci), { ms: 10_000, every: 100 });
    const status = await inst.status();
    expect(status.snabbnfv!.state).toBe('running');
    expect((status.snabbnfv!.ports as { backendConnected: boolean }[]).map((p) => p.backendConnected)).toEqual([
      true,
      true,
    ]);
  }, 60_000);

  it('lwaftr restart gives a new guest process', async () => {
    const before = (await inst.status()).lwaftr!.pid;
    const r = await inst.cli('lwaftr', 'restart');
    expect(r.code, r.stderr).toBe(0);
    const after = await inst.status();
    expect(after.lwaftr!.state).toBe('running');
    expect(after.lwaftr!.pid).not.toBe(before);
  }, 60_000);

  it('vm restart brings the guest lwAFTR back when it was running', async () => {
    const before = await inst.status();
    const r = await inst.cli('--json', 'vm', 'restart');
    expect(r.code, r.stderr).toBe(0);
    const results = expectDocument(r.stdout).results as { component: string; result: string }[];
    expect(results.map((x) => `${x.component} ${x.result}`)).toEqual([
      'lwaftr stopped',
      'vm stopped',
      'vm started',
      'lwaftr started',
    ]);
    const after = await inst.status();
    expect([after.vm!.state, after.lwaftr!.state]).toEqual(['running', 'running']);
    expect(after.vm!.pid).not.toBe(before.vm!.pid);
  }, 120_000);

  it('a guest process named snabb that lwaftrctl did not start survives lwaftr stop', async () => {
    expect(
      (
        await inst.guest(
          "printf '#!/bin/sh\\nexec sleep 600\\n' > /tmp/snabb && chmod +x /tmp/snabb && setsid /tmp/snabb </dev/null >/dev/null 2>&1 & echo started",
        )
      ).stdout,
    ).toBe('started');
    const r = await inst.cli('lwaftr', 'stop');
    expect(r.code, r.stderr).toBe(0);
    expect((await inst.guest('grep -l /tmp/snabb /proc/[0-9]*/cmdline')).code).toBe(0);
    expect((await inst.status()).lwaftr!.state).toBe('stopped');
  }, 60_000);

  it('all stop leaves nothing: no process, socket, screen session, pid file or lock; bystanders live on', async () => {
    const r = await inst.cli('all', 'stop');
    expect(r.code, r.stderr).toBe(0);
    const status = await inst.status();
    expect([status.snabbnfv!.state, status.vm!.state, status.lwaftr!.state]).toEqual(['stopped', 'stopped', 'stopped']);
    expect((await inst.cli('status')).code).toBe(3);
    expect(leftovers(inst.stateDir)).toEqual(NOTHING);
    for (const b of bystanders) expect(readProcStat(b.pid!)?.state).toMatch(/^[RSD]$/);
  }, 60_000);

  it('stop again is a no-op that exits 0', async () => {
    const r = await inst.cli('all', 'stop');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('already stopped');
  });
});

describe('the instance lock', () => {
  const locked = labInstance('locked', 10033, 'TIMEOUT_LOCK=1\n');
  afterAll(() => locked.cleanup(), 60_000);

  it('a second run waits briefly, then fails clearly with exit 75; a dead holder is taken over', async () => {
    fs.mkdirSync(locked.stateDir, { recursive: true });
    const holder = execa('sleep', ['30']);
    const stat = readProcStat(holder.pid!)!;
    fs.writeFileSync(
      path.join(locked.stateDir, 'lock'),
      JSON.stringify({ pid: holder.pid, startTime: stat.startTime }),
    );
    const began = Date.now();
    const r = await locked.cli('snabbnfv', 'start');
    expect(r.code).toBe(75);
    expect(r.stderr).toContain(`another lwaftrctl (pid ${holder.pid}`);
    expect(Date.now() - began).toBeGreaterThanOrEqual(1000);
    holder.kill('SIGKILL');
    await holder.catch(() => undefined);
    const again = await locked.cli('snabbnfv', 'start');
    expect(again.code, again.stderr).toBe(0);
    expect((await locked.cli('snabbnfv', 'stop')).code).toBe(0);
    expect(fs.existsSync(path.join(locked.stateDir, 'lock'))).toBe(false);
  }, 60_000);

  it('two runs at once on one instance do not interleave: one starts, the other waits and finds it running', async () => {
    const patient = labInstance('patient', 10036);
    try {
      const [a, b] = await Promise.all([patient.cli('snabbnfv', 'start'), patient.cli('snabbnfv', 'start')]);
      expect([a.code, b.code].sort()).toEqual([0, 0]);
      expect([a.stdout, b.stdout].filter((o) => o.includes('already running'))).toHaveLength(1);
      expect(screenSessions().filter((s) => s.name.startsWith(`${patient.name}-snabbnfv-`))).toHaveLength(2);
      expect((await patient.cli('snabbnfv', 'stop')).code).toBe(0);
    } finally {
      await patient.cleanup();
    }
  }, 60_000);
});

describe('two instances side by side', () => {
  const SIDE2_KNOWN_HOSTS = `/run/lwaftrctl/${testName('side2')}-known_hosts`;
  const one = labInstance('side1', 10034);
  // The second one trusts the guest key on first use instead of the lab's known_hosts.
  const two = labInstance('side2', 10035, `VM_HOST_KEY_CHECK=accept-new\nVM_KNOWN_HOSTS=${SIDE2_KNOWN_HOSTS}\n`);
  afterAll(async () => {
    await one.cleanup();
    await two.cleanup();
  }, 120_000);

  it('run at once and never touch each other', async () => {
    const [a, b] = await Promise.all([one.cli('snabbnfv', 'start'), two.cli('snabbnfv', 'start')]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const [va, vb] = await Promise.all([one.cli('vm', 'start'), two.cli('vm', 'start')]);
    expect(va.code, va.stderr).toBe(0);
    expect(vb.code, vb.stderr).toBe(0);
    expect((await one.status()).vm!.state).toBe('running');
    fs.rmSync(SIDE2_KNOWN_HOSTS, { force: true });
    expect((await two.status()).lwaftr!.state).toBe('stopped');
    expect(fs.readFileSync(SIDE2_KNOWN_HOSTS, 'utf8')).toMatch(
      new RegExp(`^\\[127\\.0\\.0\\.1\\]:${two.sshPort} ssh-ed25519 AAAA\\S+\\n$`),
    );
    expect((await two.cli('all', 'stop')).code).toBe(0);
    fs.rmSync(SIDE2_KNOWN_HOSTS, { force: true });
    const s1 = await one.status();
    expect([s1.snabbnfv!.state, s1.vm!.state]).toEqual(['running', 'running']);
    expect((await one.guest('echo ok')).stdout).toBe('ok');
    expect(leftovers(two.stateDir)).toEqual(NOTHING);
    expect((await one.cli('all', 'stop')).code).toBe(0);
  }, 180_000);
});
