// The lab with VM_ENGINE=libvirt (conf/lab-libvirt.conf): lwaftrctl renders the domain from the
// VM spec, defines it, starts it paused, checks backends and pinning through virsh, resumes it,
// waits for SSH; all stop shuts it down by ACPI and undefines it. The hand-written domains of
// test/fixtures/libvirt (what the groundwork proved) still validate; test/unit/libvirt-xml.test.ts
// compares the rendered domain with them. Needs ./scripts/setup.sh (libvirt, the lab); starts its
// own libvirtd only when none answers, and stops only that one.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.js';
import { labInstance, leftovers, NOTHING, REPO, requireLab } from '../helpers/lab.js';
import { expectDocument } from '../helpers/schemas.js';

const FIXTURES = path.join(REPO, 'test', 'fixtures', 'libvirt');
const LIBVIRTD = path.join(REPO, 'scripts', 'lab', 'libvirtd.sh');
const URI = 'qemu:///system';

const inst = labInstance('lv', 10150, '', 'lab-libvirt.conf');
const domain = inst.name;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lwaftrctl-libvirt-'));

async function virsh(...args: string[]) {
  const r = await execa('virsh', ['-c', URI, ...args], { reject: false, stdin: 'ignore', timeout: 60_000 });
  return { code: r.exitCode ?? -1, stdout: r.stdout.trim(), stderr: r.stderr.trim() };
}

/** xmllint's answer to an XPath over an XML text (libvirt's own namespace prefixes by local-name()). */
async function xpath(xml: string, expr: string): Promise<string> {
  const file = path.join(tmp, 'q.xml');
  fs.writeFileSync(file, xml);
  return (await execa('xmllint', ['--xpath', expr, file], { reject: false })).stdout.trim();
}

beforeAll(async () => {
  requireLab();
  const d = await execa(LIBVIRTD, ['start'], { reject: false, stdin: 'ignore' });
  expect(d.exitCode, d.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  await inst.cli('--force', 'all', 'stop');
  // Last resort after a failed test: the domain, whoever's it is by now, goes.
  if ((await virsh('domstate', domain)).code === 0) {
    await virsh('destroy', domain);
    await virsh('undefine', domain);
  }
  await inst.cleanup();
  fs.rmSync(tmp, { recursive: true, force: true });
  await execa(LIBVIRTD, ['stop'], { reject: false, stdin: 'ignore' });
}, 120_000);

describe('the proven domain XML fixtures', () => {
  it("each validates against libvirt's schema", async () => {
    const files = fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.xml'));
    expect(files.length).toBeGreaterThanOrEqual(5);
    for (const f of files) {
      const r = await execa('virt-xml-validate', [path.join(FIXTURES, f), 'domain'], { reject: false });
      expect(r.exitCode, `${f}: ${r.stderr}`).toBe(0);
    }
  });
});

describe('VM_ENGINE=libvirt on the lab', () => {
  let qemuPid = 0;

  it('the dry run shows the virsh commands, the start with its deadline', async () => {
    const r = await inst.cli('--dry-run', 'vm', 'start');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines).toContain(`  run_in . virsh -c ${URI} define ${inst.stateDir}/domain.xml`);
    expect(lines).toContain(`  run_in . timeout 30s virsh -c ${URI} start --paused ${domain}`);
    expect(lines).toContain(`  run_in . virsh -c ${URI} resume ${domain}`);
    expect(r.stdout).toMatch(new RegExp(`wait_for 30 .* domain_pinned ${domain} /run/libvirt/qemu/${domain}.pid 0=1`));
    const stop = (await inst.cli('--dry-run', 'vm', 'stop')).stdout;
    expect(stop).toContain(`{ run_in . virsh -c ${URI} shutdown --mode acpi ${domain}; try_for `);
    expect(stop).toContain(`  run_in . virsh -c ${URI} undefine ${domain}`);
  });

  it('all start: the domain runs, QEMU as libvirt-qemu binding the sockets in a root:libvirt-qemu 0770 folder', async () => {
    const r = await inst.cli('--json', 'all', 'start');
    expect(r.code, r.stderr).toBe(0);
    const doc = expectDocument(r.stdout) as unknown as { results: { component: string; result: string }[] };
    expect(doc.results.map((x) => `${x.component} ${x.result}`)).toEqual([
      'snabbnfv started',
      'vm started',
      'lwaftr started',
    ]);
    expect((await virsh('domstate', '--reason', domain)).stdout).toBe('running (unpaused)');
    qemuPid = Number(fs.readFileSync(`/run/libvirt/qemu/${domain}.pid`, 'utf8'));
    const uid = (await execa('id', ['-u', 'libvirt-qemu'])).stdout;
    expect(fs.readFileSync(`/proc/${qemuPid}/status`, 'utf8')).toMatch(new RegExp(`^Uid:\\s+${uid}\\s`, 'm'));
    const folder = fs.statSync(inst.stateDir);
    const gid = Number((await execa('getent', ['group', 'libvirt-qemu'])).stdout.split(':')[2]);
    expect([folder.uid, folder.gid, (folder.mode & 0o777).toString(8)]).toEqual([0, gid, '770']);
  }, 120_000);

  it('the running domain is the one `export libvirt` prints, marked as this instance’s', async () => {
    const exported = await inst.cli('export', 'libvirt');
    expect(exported.code).toBe(0);
    expect(exported.stdout).toBe(fs.readFileSync(`${inst.stateDir}/domain.xml`, 'utf8').trimEnd());
    const live = (await virsh('dumpxml', domain)).stdout;
    for (const expr of [
      "//interface[@type='vhostuser']/source/@path",
      "//interface[@type='vhostuser']/mac/@address",
      "//interface[@type='vhostuser']/address/@slot",
      '//cputune/vcpupin/@cpuset',
      '//cputune/emulatorpin/@cpuset',
      '/domain/os/cmdline/text()',
      "//*[local-name()='commandline']/*[local-name()='arg']/@value",
      "//*[local-name()='instance']/@stateDir",
    ])
      expect(await xpath(live, expr), expr).toBe(await xpath(exported.stdout, expr));
    expect(await xpath(live, "string(//*[local-name()='instance']/@stateDir)")).toBe(inst.stateDir);
  });

  it('gives both vhost-user NICs their slots, MACs and vectors=0 (<qemu:override>)', () => {
    const argv = fs.readFileSync(`/proc/${qemuPid}/cmdline`, 'utf8').split('\0');
    const devices = argv
      .filter((a) => a.startsWith('{"driver":"virtio-net-pci-transitional"'))
      .map((a) => JSON.parse(a));
    expect(devices.map((d) => [d.addr, d.mac, d.vectors])).toEqual([
      ['0x8', '52:54:00:00:00:01', 0],
      ['0x9', '52:54:00:00:00:02', 0],
    ]);
  });

  it('status --json: the same shape, the domain, both backends connected, pinning as wanted, all running', async () => {
    const r = await inst.cli('--json', 'status');
    expect(r.code).toBe(0);
    const s = expectDocument(r.stdout) as Record<string, Record<string, unknown>>;
    expect(s.vm).toMatchObject({
      state: 'running',
      engine: 'libvirt',
      domain: { name: domain, uri: URI, state: 'running', reason: 'unpaused' },
      pid: qemuPid,
      backends: { char1: true, char2: true },
      guestReachable: true,
      pinning: { ok: true, vcpus: [{ vcpu: 0, wanted: '1', actual: '1' }], emulator: { wanted: '0', actual: '0' } },
      logs: { qemu: `/var/log/libvirt/qemu/${domain}.log`, console: `${inst.stateDir}/console.log` },
    });
    expect([s.snabbnfv!.state, s.lwaftr!.state]).toEqual(['running', 'running']);
  });

  it('the guest sees both data NICs as legacy virtio at 0000:00:08.0 and 09.0', async () => {
    const r = await inst.guest('for d in 0000:00:08.0 0000:00:09.0; do cat /sys/bus/pci/devices/$d/device; done');
    expect(r.stdout.split('\n')).toEqual(['0x1000', '0x1000']);
  });

  it('start again: already running; a snabbnfv restart reconnects to the domain', async () => {
    const again = await inst.cli('--json', 'vm', 'start');
    expect((expectDocument(again.stdout) as unknown as { results: { result: string }[] }).results[0]!.result).toBe(
      'already-running',
    );
    expect((await inst.cli('snabbnfv', 'restart')).code).toBe(0);
    await eventually('QEMU to see both backends again', async () => {
      const vm = (await inst.status()).vm as unknown as { backends: Record<string, boolean> };
      return vm.backends.char1 === true && vm.backends.char2 === true;
    });
  }, 60_000);

  it('the printed vm restart, run by sh: the domain is redefined, started, pinned and resumed', async () => {
    const dry = await inst.cli('--dry-run', 'vm', 'restart');
    expect(dry.code, dry.stderr).toBe(0);
    const file = path.join(path.dirname(inst.conf), 'vm-restart.sh');
    fs.writeFileSync(file, dry.stdout);
    const r = await execa('sh', [file], { reject: false, stdin: 'ignore', timeout: 180_000 });
    expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(dry.stdout).toContain(`domain_pinned ${domain} /run/libvirt/qemu/${domain}.pid 0=1`);
    // The guest lwAFTR it stopped with the VM is started again, as lwaftrctl vm restart does.
    expect(r.stdout).toContain('lwaftr: started');
    const s = await inst.status();
    expect([s.snabbnfv!.state, s.vm!.state, s.lwaftr!.state]).toEqual(['running', 'running', 'running']);
    expect(s.vm).toMatchObject({ pinning: { ok: true } });
    expect(s.vm!.pid).not.toBe(qemuPid);
  }, 200_000);

  it('all stop: ACPI shutdown, the domain undefined, nothing left', async () => {
    const r = await inst.cli('--json', 'all', 'stop');
    expect(r.code, r.stderr).toBe(0);
    const doc = expectDocument(r.stdout) as unknown as { results: { component: string; result: string }[] };
    expect(doc.results.map((x) => `${x.component} ${x.result}`)).toEqual([
      'lwaftr stopped',
      'vm stopped',
      'snabbnfv stopped',
    ]);
    expect((await virsh('list', '--all', '--name')).stdout.split('\n')).not.toContain(domain);
    expect(fs.existsSync(`/etc/libvirt/qemu/${domain}.xml`)).toBe(false);
    expect(leftovers(inst.stateDir)).toEqual(NOTHING);
    const s = await inst.cli('--json', 'status', 'vm');
    expect(s.code).toBe(3);
    expect(expectDocument(s.stdout).vm).toMatchObject({ state: 'stopped', engine: 'libvirt', domain: null });
  }, 60_000);

  it('a backend that never connects: virsh start is ended on its deadline (exit 124), nothing left', async () => {
    const slow = labInstance('lvdl', 10151, 'TIMEOUT_VM_START=5\n', 'lab-libvirt.conf');
    try {
      expect((await slow.cli('snabbnfv', 'start')).code).toBe(0);
      // The stand-in's vhost-user client is its dpdk-testpmd child: frozen, it never connects.
      const backend = Number(fs.readFileSync(`${slow.stateDir}/snabbnfv-2.pid`, 'utf8'));
      const client = Number((await execa('pgrep', ['-P', String(backend), '-x', 'dpdk-testpmd'])).stdout);
      process.kill(client, 'SIGSTOP');
      const r = await slow.cli('vm', 'start');
      process.kill(client, 'SIGCONT');
      expect(r.code).toBe(124);
      expect(r.stderr).toContain(
        `start --paused ${slow.name} did not finish within 5s: QEMU still waited for a vhost-user backend`,
      );
      expect(r.stderr).toContain('QEMU waiting for connection on: disconnected:unix:');
      expect((await virsh('domstate', slow.name)).code).toBe(1);
      expect(fs.readdirSync(slow.stateDir).filter((f) => f.endsWith('.sock'))).toEqual([]);
    } finally {
      await slow.cleanup();
    }
  }, 60_000);

  it('a domain of that name it did not define is refused at start and left alone at stop', async () => {
    const foreign = path.join(tmp, 'foreign.xml');
    fs.writeFileSync(
      foreign,
      fs
        .readFileSync(path.join(FIXTURES, 'lab-memfd.xml'), 'utf8')
        .replace('<name>lv1</name>', `<name>${domain}</name>`),
    );
    expect((await virsh('define', foreign)).code).toBe(0);
    try {
      expect((await inst.cli('snabbnfv', 'start')).code).toBe(0);
      const r = await inst.cli('vm', 'start');
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        `libvirt already has a domain named ${domain} (shut off) and lwaftrctl did not define it`,
      );
      // The printed scripts do the same: the start refused, the stop leaves the domain alone.
      const script = async (action: string) => {
        const dry = await inst.cli('--dry-run', 'vm', action);
        expect(dry.code, dry.stderr).toBe(0);
        const file = path.join(path.dirname(inst.conf), `vm-${action}.sh`);
        fs.writeFileSync(file, dry.stdout);
        return execa('sh', [file], { reject: false, stdin: 'ignore', timeout: 60_000 });
      };
      const printedStart = await script('start');
      expect(printedStart.exitCode).toBe(1);
      expect(printedStart.stderr).toContain(
        `libvirt already has a domain named ${domain} and lwaftrctl did not define it`,
      );
      const printedStop = await script('stop');
      expect(printedStop.exitCode, printedStop.stderr).toBe(0);
      expect(printedStop.stderr).toContain(`libvirt domain ${domain} left alone: lwaftrctl did not define it`);
      expect((await virsh('domstate', domain)).stdout).toBe('shut off');
      const stop = await inst.cli('all', 'stop');
      expect(stop.code).toBe(0);
      expect(stop.stderr).toContain(`libvirt domain ${domain} left alone: lwaftrctl did not define it`);
      expect((await virsh('domstate', domain)).stdout).toBe('shut off');
    } finally {
      await virsh('undefine', domain);
    }
  }, 60_000);
});
