// The lab VM under libvirt, from the hand-written domain XML in test/fixtures/libvirt: what
// lwaftrctl's libvirt engine must render and do. The backends are lwaftrctl's own (snabbnfv
// start); libvirt runs QEMU as the server of both vhost-user sockets. The domain is defined,
// started paused, its pinning and backends checked, resumed, reached over SSH, powered off
// by ACPI and undefined. Needs ./scripts/setup.sh (libvirt, the lab); starts its own
// libvirtd only when none answers, and stops only that one.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAB, labInstance, REPO, requireLab } from '../helpers/lab.js';

const FIXTURES = path.join(REPO, 'test', 'fixtures', 'libvirt');
const LIBVIRTD = path.join(REPO, 'scripts', 'lab', 'libvirtd.sh');
const URI = 'qemu:///system';
// The fixtures are written for instance lv1 (SSH on 10150) with the lab at /opt/lwaftrctl/lab.
const FIXTURE_NAME = 'lv1';
const FIXTURE_PORT = 10150;
const FIXTURE_LAB = '/opt/lwaftrctl/lab';

const inst = labInstance('lvtest', 10151);
const domain = inst.name;
let xmlFile = '';

async function virsh(...args: string[]) {
  const r = await execa('virsh', ['-c', URI, ...args], { reject: false, stdin: 'ignore', timeout: 60_000 });
  return { code: r.exitCode ?? -1, stdout: r.stdout.trim(), stderr: r.stderr.trim() };
}

/** The fixture for this test's instance: its name, state folder, SSH port and the checkout's lab. */
function renderFixture(file: string): string {
  return fs
    .readFileSync(path.join(FIXTURES, file), 'utf8')
    .replaceAll(FIXTURE_LAB, LAB)
    .replaceAll(`/run/lwaftrctl/${FIXTURE_NAME}/`, `${inst.stateDir}/`)
    .replace(`<name>${FIXTURE_NAME}</name>`, `<name>${domain}</name>`)
    .replace(`127.0.0.1:${FIXTURE_PORT}-:22`, `127.0.0.1:${inst.sshPort}-:22`);
}

async function waitFor<T>(what: string, seconds: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${seconds}s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The first bytes the guest's SSH server sends through the port forward ("SSH-" when it is up). */
async function sshBanner(port: number): Promise<string> {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    const done = (v: string) => {
      s.destroy();
      resolve(v);
    };
    s.setTimeout(1000, () => done(''));
    s.once('data', (b) => done(b.toString('latin1', 0, 4)));
    s.once('error', () => done(''));
    // Slirp accepts at once and closes again while the guest does not listen yet.
    s.once('close', () => done(''));
  });
}

beforeAll(async () => {
  requireLab();
  const d = await execa(LIBVIRTD, ['start'], { reject: false, stdin: 'ignore' });
  expect(d.exitCode, d.stderr).toBe(0);
  const up = await inst.cli('snabbnfv', 'start');
  expect(up.code, up.stderr).toBe(0);
  // QEMU runs as libvirt-qemu and binds the vhost-user sockets: their folder must let it.
  fs.chownSync(inst.stateDir, 0, Number((await execa('getent', ['group', 'libvirt-qemu'])).stdout.split(':')[2]));
  fs.chmodSync(inst.stateDir, 0o770);
  xmlFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lwaftrctl-libvirt-')), `${domain}.xml`);
  fs.writeFileSync(xmlFile, renderFixture('lab-memfd.xml'));
  const def = await virsh('define', xmlFile);
  expect(def.code, def.stderr).toBe(0);
}, 180_000);

afterAll(async () => {
  if ((await virsh('domstate', domain)).stdout !== 'shut off') await virsh('destroy', domain);
  await virsh('undefine', domain);
  await inst.cleanup();
  if (xmlFile) fs.rmSync(path.dirname(xmlFile), { recursive: true, force: true });
  await execa(LIBVIRTD, ['stop'], { reject: false, stdin: 'ignore' });
}, 120_000);

describe('the domain XML fixtures', () => {
  it("each validates against libvirt's schema", async () => {
    const files = fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.xml'));
    expect(files.length).toBeGreaterThanOrEqual(2);
    for (const f of files) {
      const r = await execa('virt-xml-validate', [path.join(FIXTURES, f), 'domain'], { reject: false });
      expect(r.exitCode, `${f}: ${r.stderr}`).toBe(0);
    }
  });
});

describe('the lab VM under libvirt', () => {
  let qemuPid = 0;

  it('starts paused once both backends have connected, QEMU as libvirt-qemu', async () => {
    const r = await virsh('start', '--paused', domain);
    expect(r.code, r.stderr).toBe(0);
    expect((await virsh('domstate', '--reason', domain)).stdout).toBe('paused (user)');
    qemuPid = Number(fs.readFileSync(`/run/libvirt/qemu/${domain}.pid`, 'utf8'));
    const status = fs.readFileSync(`/proc/${qemuPid}/status`, 'utf8');
    const uid = (await execa('id', ['-u', 'libvirt-qemu'])).stdout;
    expect(status).toMatch(new RegExp(`^Uid:\\s+${uid}\\s`, 'm'));
    // Both vhost-user sockets are QEMU's, connected (a waiting one reads "disconnected:unix:...").
    const chardevs = JSON.parse((await virsh('qemu-monitor-command', domain, '{"execute":"query-chardev"}')).stdout)
      .return as { label: string; filename: string }[];
    for (const sock of ['vh1a.sock', 'vh1b.sock'])
      expect(chardevs.find((c) => c.filename.includes(sock))?.filename).toBe(`unix:${inst.stateDir}/${sock},server=on`);
  }, 60_000);

  it('gives both vhost-user NICs vectors=0 and their slots, through <qemu:override>', () => {
    const argv = fs.readFileSync(`/proc/${qemuPid}/cmdline`, 'utf8').split('\0');
    const devices = argv
      .filter((a) => a.startsWith('{"driver":"virtio-net-pci-transitional"'))
      .map((a) => JSON.parse(a));
    expect(devices.map((d) => [d.addr, d.mac, d.vectors])).toEqual([
      ['0x8', '52:54:00:00:00:01', 0],
      ['0x9', '52:54:00:00:00:02', 0],
    ]);
  });

  it('pins the vCPU and the emulator threads as <cputune> says, and virsh reads them back', async () => {
    expect((await virsh('vcpupin', domain)).stdout.split('\n').at(-1)!.trim().split(/\s+/)).toEqual(['0', '1']);
    expect((await virsh('emulatorpin', domain)).stdout).toMatch(/^\s+\*: 0$/m);
    for (const task of fs.readdirSync(`/proc/${qemuPid}/task`)) {
      const comm = fs.readFileSync(`/proc/${qemuPid}/task/${task}/comm`, 'utf8').trim();
      const cpus = /^Cpus_allowed_list:\s+(\S+)$/m.exec(
        fs.readFileSync(`/proc/${qemuPid}/task/${task}/status`, 'utf8'),
      )![1];
      expect([comm, cpus]).toEqual([comm, comm.startsWith('CPU ') ? '1' : '0']);
    }
  });

  it('resumes and the guest answers SSH, with both data NICs legacy virtio at 08.0 and 09.0', async () => {
    expect((await virsh('resume', domain)).code).toBe(0);
    expect((await virsh('domstate', '--reason', domain)).stdout).toBe('running (unpaused)');
    await waitFor('the guest SSH banner', 60, async () =>
      (await sshBanner(inst.sshPort)) === 'SSH-' ? true : undefined,
    );
    const r = await inst.guest(
      'for d in 0000:00:08.0 0000:00:09.0; do cat /sys/bus/pci/devices/$d/device /sys/bus/pci/devices/$d/virtio*/net/*/carrier; done',
    );
    expect(r.stdout.split('\n')).toEqual(['0x1000', '1', '0x1000', '1']);
  }, 90_000);

  it('powers off by ACPI (virsh shutdown); QEMU removes its sockets; undefine leaves no definition', async () => {
    expect((await virsh('shutdown', '--mode', 'acpi', domain)).code).toBe(0);
    await waitFor('the domain to shut off', 30, async () =>
      (await virsh('domstate', domain)).stdout === 'shut off' ? true : undefined,
    );
    expect((await virsh('domstate', '--reason', domain)).stdout).toBe('shut off (shutdown)');
    expect(fs.readdirSync(inst.stateDir).filter((f) => f.endsWith('.sock'))).toEqual([]);
    expect((await virsh('undefine', domain)).code).toBe(0);
    expect((await virsh('list', '--all', '--name')).stdout.split('\n')).not.toContain(domain);
    expect(fs.existsSync(`/etc/libvirt/qemu/${domain}.xml`)).toBe(false);
  }, 60_000);
});
