// The lab itself: the guest boots from the QEMU command line lwaftrctl's plan builds, both
// vhost-user NICs are there with link up through real backends, SSH verifies the host key,
// 9p is mounted, packets come back through the backend, and ACPI powerdown ends QEMU.

import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identify } from '../../src/io/process-identity.js';
import { qmpOnce } from '../../src/io/qmp-client.js';
import { eventually } from '../helpers/eventually.js';
import { guestLinkUp, LAB, labInstance, labSshArgv, REPO, requireLab, screenSessions } from '../helpers/lab.js';

const inst = labInstance('labtest', 10031);

beforeAll(async () => {
  requireLab();
  const up = await inst.cli('snabbnfv', 'start');
  expect(up.code, up.stderr).toBe(0);
  const vm = await inst.cli('vm', 'start');
  expect(vm.code, vm.stderr).toBe(0);
}, 120_000);

afterAll(() => inst.cleanup(), 120_000);

describe('the lab guest, booted from the plan', () => {
  it('runs the QEMU argv of the plan (the dry run prints the same command)', async () => {
    const dry = await inst.cli('--dry-run', '--json', 'vm', 'start');
    const spawn = JSON.parse(dry.stdout).plans[0].steps.find((s: { kind: string }) => s.kind === 'spawn');
    const pid = Number(fs.readFileSync(path.join(inst.stateDir, 'qemu.pid'), 'utf8'));
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, -1);
    // taskset execs QEMU: what runs is the plan's argv after the taskset prefix.
    expect(cmdline.slice(1)).toEqual(spawn.argv.slice(spawn.argv.indexOf('qemu-system-x86_64') + 1));
  });

  it('has both vhost-user NICs at 0000:00:08.0 and 0000:00:09.0, virtio, link up', async () => {
    for (const pci of ['0000:00:08.0', '0000:00:09.0']) {
      const r = await inst.guest(
        `cat /sys/bus/pci/devices/${pci}/vendor /sys/bus/pci/devices/${pci}/virtio*/net/*/carrier`,
      );
      expect(r.stdout.split('\n')).toEqual(['0x1af4', '1']);
      expect(await guestLinkUp(inst, pci)).toBe(true);
    }
  });

  it('has both backends connected (QEMU side) and running in screen sessions', async () => {
    const devs = await qmpOnce<{ label: string; filename: string }[]>(
      path.join(inst.stateDir, 'qmp.sock'),
      'query-chardev',
    );
    for (const id of ['char1', 'char2'])
      expect(devs.find((d) => d.label === id)?.filename).not.toMatch(/^disconnected:/);
    const names = screenSessions().map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining([`${inst.name}-snabbnfv-1`, `${inst.name}-snabbnfv-2`]));
  });

  it('verifies the guest host key: the lab key is accepted, another key is refused', async () => {
    expect((await inst.guest('echo ok')).stdout).toBe('ok');
    const wrong = path.join(path.dirname(inst.conf), 'wrong_known_hosts');
    fs.writeFileSync(
      wrong,
      `[127.0.0.1]:* ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHX9Zk6n1sG0x5jvF2m0y6yq3Xc3nZ9kq7Wb3oY8QfJd\n`,
    );
    const r = await execa(
      'ssh',
      labSshArgv({ port: inst.sshPort, target: 'root@127.0.0.1', command: 'true', knownHosts: wrong }),
      { reject: false, stdin: 'ignore' },
    );
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toMatch(/HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
  });

  it('mounts the 9p share at /mnt/host, with the Snabb tree in it', async () => {
    const r = await inst.guest('grep " /mnt/host 9p " /proc/mounts && ls /mnt/host/snabb/src/snabb');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('/mnt/host/snabb/src/snabb');
  });

  it('passes the traffic check: packets sent on the first NIC come back through the backend', async () => {
    const r = await execa(
      path.join(REPO, 'scripts', 'lab-traffic-check.sh'),
      [
        String(inst.sshPort),
        `${LAB}/keys/id_ed25519`,
        `${LAB}/keys/known_hosts`,
        '--socket',
        path.join(inst.stateDir, 'vh1a.sock'),
      ],
      { reject: false, stdin: 'ignore' },
    );
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    const [, sent, back, forwarded] =
      /traffic check: sent (\d+), received back (\d+) \(backend forwarded (\d+)\)/.exec(r.stdout) ?? [];
    expect(Number(sent)).toBeGreaterThan(0);
    expect(Number(back)).toBeGreaterThanOrEqual(Number(sent));
    expect(Number(forwarded)).toBeGreaterThanOrEqual(Number(sent));
  }, 60_000);

  it('ends QEMU on ACPI powerdown', async () => {
    const ref = {
      pidFile: path.join(inst.stateDir, 'qemu.pid'),
      record: path.join(inst.stateDir, 'qemu.json'),
      cmdlineHas: ['-name'],
      label: 'QEMU',
    };
    const before = identify(ref);
    expect(before.state).toBe('running');
    await qmpOnce(path.join(inst.stateDir, 'qmp.sock'), 'system_powerdown');
    await eventually('QEMU to end after the ACPI powerdown', () => identify(ref).state !== 'running', { every: 100 });
  }, 30_000);
});
