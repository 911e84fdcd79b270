// A non-root VM_USER on the lab: what needs root in the guest goes through sudo -n. The lab guest
// has two such users (scripts/build-lab-guest.sh): lwaftr may use sudo without a password and runs
// the whole cycle, printed dry-run script included; asker may use sudo only with a password and is
// refused with sudo's own words and the sudoers line that fixes it. One lab VM at a time.
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAllStopLeavesNothing, type LabInstance, labInstance, requireLab } from '../helpers/lab.js';
import { expectDocument } from '../helpers/schemas.js';

const PCIS = ['0000:00:08.0', '0000:00:09.0'];
/** asker's password in the lab guest (its hash is in the guest's /etc/shadow). */
const ASKER_PASSWORD = 'lwaftr-lab';

beforeAll(() => requireLab());

/** status --json, checked against its schema. */
async function status(inst: LabInstance) {
  const r = await inst.cli('--json', 'status');
  return expectDocument(r.stdout, 'status') as unknown as Record<string, Record<string, unknown>>;
}

/** A command run in the guest as VM_USER, through lwaftrctl's own ssh. */
const asVmUser = (inst: LabInstance, ...argv: string[]) => inst.cli('ssh', '--', ...argv);

/** The legacy virtio status register of each NIC (offset 18 of BAR0): 0 once reset. */
async function virtioStatus(inst: LabInstance): Promise<number[]> {
  const r = await inst.guest(
    PCIS.map((d) => `dd if=/sys/bus/pci/devices/${d}/resource0 bs=1 skip=18 count=1 2>/dev/null | od -An -tu1`).join(
      '; ',
    ),
  );
  return r.stdout.split(/\s+/).filter(Boolean).map(Number);
}

/**
 * Guest processes (as root sees them) running the lwAFTR's command line, with their uids. The
 * pattern's [ ] keeps it from matching the command lines of this very check.
 */
async function guestLwaftrs(inst: LabInstance): Promise<{ pid: number; uid: number }[]> {
  const r = await inst.guest(
    `for p in /proc/[0-9]*; do tr '\\0' ' ' <$p/cmdline 2>/dev/null | grep -q 'lwaftr[ ]run[ ]--virtio' && ` +
      `echo "\${p#/proc/} $(awk '/^Uid:/ { print $2 }' $p/status)"; done; true`,
  );
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(' ').map(Number))
    .filter(([pid]) => pid !== undefined)
    .map(([pid, uid]) => ({ pid: pid!, uid: uid! }));
}

describe('VM_USER=lwaftr (sudo without a password)', () => {
  const inst = labInstance('slsudo', 10400, 'VM_USER=lwaftr\n');
  const lwaftrProcesses = () => guestLwaftrs(inst);
  afterAll(() => inst.cleanup(), 120_000);

  it('all start runs the chain; the guest lwAFTR runs as root, lwaftrctl logs in as lwaftr', async () => {
    const r = await inst.cli('all', 'start');
    expect(r.code, r.stderr).toBe(0);
    const s = await status(inst);
    expect([s.snabbnfv!.state, s.vm!.state, s.lwaftr!.state]).toEqual(['running', 'running', 'running']);
    expect(s.lwaftr!.counters).toMatchObject({ 'in-ipv4-packets': expect.any(Number) });
    expect((await asVmUser(inst, 'id', '-un')).stdout).toBe('lwaftr');
    expect((await asVmUser(inst, 'sudo', '-n', 'true')).code).toBe(0);
    expect(await lwaftrProcesses()).toContainEqual({ pid: s.lwaftr!.pid, uid: 0 });
  }, 120_000);

  it('status as lwaftr keeps its counter sample: the second status has rates', async () => {
    await status(inst);
    const s = await status(inst);
    expect(s.lwaftr!.state).toBe('running');
    expect(s.lwaftr!.rates).toMatchObject({ 'in-ipv4-packets': expect.any(Number) });
  }, 30_000);

  it('lwaftr restart gives a new guest lwAFTR, as root', async () => {
    const before = (await status(inst)).lwaftr!.pid;
    const r = await inst.cli('lwaftr', 'restart');
    expect(r.code, r.stderr).toBe(0);
    const after = await status(inst);
    expect(after.lwaftr!.state).toBe('running');
    expect(after.lwaftr!.pid).not.toBe(before);
    expect(await lwaftrProcesses()).toContainEqual({ pid: after.lwaftr!.pid, uid: 0 });
  }, 60_000);

  it('lwaftr stop resets both NICs and leaves no lwAFTR', async () => {
    const running = await virtioStatus(inst);
    expect(running).toHaveLength(2);
    expect(running).not.toContain(0);
    const r = await inst.cli('lwaftr', 'stop');
    expect(r.code, r.stderr).toBe(0);
    expect(await virtioStatus(inst)).toEqual([0, 0]);
    expect(await lwaftrProcesses()).toEqual([]);
    expect((await status(inst)).lwaftr!.state).toBe('stopped');
  }, 60_000);

  it('the printed dry-run script of lwaftr start, run by sh, starts the lwAFTR through sudo too', async () => {
    const dry = await inst.cli('--dry-run', 'lwaftr', 'start');
    expect(dry.code, dry.stderr).toBe(0);
    const file = path.join(path.dirname(inst.conf), 'lwaftr-start.sh');
    fs.writeFileSync(file, dry.stdout);
    const r = await execa('sh', [file], { reject: false, stdin: 'ignore', timeout: 120_000 });
    expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
    const s = await status(inst);
    expect(s.lwaftr!.state).toBe('running');
    expect(await lwaftrProcesses()).toContainEqual({ pid: s.lwaftr!.pid, uid: 0 });
  }, 120_000);

  it('all stop leaves nothing', async () => {
    await expectAllStopLeavesNothing(inst);
  }, 60_000);
});

describe('VM_USER=asker (sudo only with a password)', () => {
  const inst = labInstance('slask', 10401, 'VM_USER=asker\n');
  const guestDir = `/tmp/lwaftrctl-${inst.name}`;
  afterAll(() => inst.cleanup(), 120_000);

  /** One error (the host's warnings aside) with its fix, no stack trace. */
  function expectSudoRefusal(stderr: string) {
    const errors = stderr
      .split('\n')
      .filter((l) => l.startsWith('lwaftrctl: ') && !l.startsWith('lwaftrctl: warning:'));
    expect(errors).toEqual([
      "lwaftrctl: asker may not run lwaftrctl's guest commands as root without a password " +
        '(sudo -n: sudo: a password is required)',
    ]);
    expect(stderr).toContain(
      "fix: in the guest, let it: echo 'asker ALL=(root) NOPASSWD: ALL' > /etc/sudoers.d/lwaftrctl",
    );
    expect(stderr).not.toMatch(/^\s+at /m);
  }

  it("the guest's sudo asks asker for a password, and takes the right one", async () => {
    expect((await inst.cli('snabbnfv', 'start')).code).toBe(0);
    const vm = await inst.cli('vm', 'start');
    expect(vm.code, vm.stderr).toBe(0);
    const n = await asVmUser(inst, 'sudo', '-n', 'true');
    expect(n.code).toBe(1);
    expect(n.stderr).toContain('a password is required');
    const withPassword = await asVmUser(inst, 'sh', '-c', `echo '${ASKER_PASSWORD}' | sudo -S -p '' id -u`);
    expect(withPassword.stdout).toBe('0');
  }, 120_000);

  it('lwaftr start exits 1 with the sudo error and its fix; nothing runs in the guest', async () => {
    const r = await inst.cli('lwaftr', 'start');
    expect(r.code).toBe(1);
    expectSudoRefusal(r.stderr);
    expect(await guestLwaftrs(inst)).toEqual([]);
    expect((await inst.guest(`test -e ${guestDir}/lwaftr.pid`)).code).toBe(1);
  }, 60_000);

  it('all stop cleans up', async () => {
    await expectAllStopLeavesNothing(inst);
  }, 60_000);
});
