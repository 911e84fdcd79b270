// The libvirt domain rendered from the VM spec: valid against libvirt's own schema
// (virt-xml-validate) for the lab and its variants, and the same in substance as the hand-written
// domains proven on this machine (test/fixtures/libvirt): the elements that decide what the guest
// gets are compared one by one with xmllint, not the bytes.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { renderLibvirtDomain } from '../../src/components/vm/libvirt-xml.js';
import { resolveVmSpec } from '../../src/components/vm/spec.js';
import { escapeXml } from '../../src/components/vm/xml.js';
import { configOf, MINIMAL } from '../helpers/config-fixture.js';

const REPO = path.join(__dirname, '..', '..');
const FIXTURES = path.join(REPO, 'test', 'fixtures', 'libvirt');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lwaftrctl-libvirt-xml-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** conf/lab.conf as the fixtures were written: instance lv1, SSH on 10150, the lab at /opt/lwaftrctl/lab. */
const LAB_AS_LV1 = fs
  .readFileSync(path.join(REPO, 'conf', 'lab.conf'), 'utf8')
  .replace(/^NAME=lab$/m, 'NAME=lv1')
  .replace(/^VM_SSH_PORT=\d+$/m, 'VM_SSH_PORT=10150')
  .replaceAll('=../lab', '=/opt/lwaftrctl/lab')
  .replaceAll('=../ports', '=/opt/lwaftrctl/ports');

const DISK = 'VM_IMAGE=/var/lib/lwaftrctl/lv1/disk.qcow2\nVM_FORMAT=qcow2\n';
/** Each fixture and the config lines that make conf/lab.conf into it (NUMA_NODE=0: the fixtures pin memory). */
const VARIANTS: [string, string][] = [
  ['lab-hugetlbfs.xml', ''],
  ['lab-memfd.xml', 'MEM_BACKEND=memfd\n'],
  ['lab-memfd-tap.xml', 'MEM_BACKEND=memfd\nMGMT_NET=tap\nIFACE=lvtap0\nVM_IP=10.21.21.2\n'],
  ['lab-memfd-kernel-disk.xml', `MEM_BACKEND=memfd\n${DISK}`],
  ['lab-memfd-disk.xml', `MEM_BACKEND=memfd\n${DISK}BZ_IMAGE=\nINITRD=\n`],
];

function render(text: string): string {
  const config = configOf(text);
  return renderLibvirtDomain(resolveVmSpec(config), { config: config.file, stateDir: config.stateDir });
}

function write(name: string, xml: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, xml);
  return file;
}

/** What decides the guest's hardware, as xmllint prints each (attributes as ` name="value"` lines). */
const FACTS = [
  '/domain/@type',
  '/domain/name/text()',
  '/domain/memory',
  'boolean(/domain/memoryBacking/hugepages)',
  '/domain/memoryBacking/source/@type',
  '/domain/memoryBacking/access/@mode',
  '/domain/vcpu/text()',
  '/domain/cputune/vcpupin/@*',
  '/domain/cputune/emulatorpin/@cpuset',
  '/domain/numatune/memory/@*',
  '/domain/os/type',
  '/domain/os/kernel/text()',
  '/domain/os/initrd/text()',
  '/domain/os/cmdline/text()',
  '/domain/os/boot/@dev',
  'boolean(/domain/features/acpi)',
  '/domain/cpu/@mode',
  '/domain/cpu/numa/cell/@*',
  '/domain/on_poweroff/text()',
  "//interface[@type='vhostuser']/mac/@address",
  "//interface[@type='vhostuser']/source/@*",
  "//interface[@type='vhostuser']/model/@type",
  "//interface[@type='vhostuser']/alias/@name",
  "//interface[@type='vhostuser']/address/@slot",
  "//interface[@type='ethernet']/target/@dev",
  "//interface[@type='ethernet']/mac/@address",
  "//interface[@type='ethernet']/address/@slot",
  '//disk/source/@file',
  '//disk/driver/@type',
  '//disk/target/@*',
  '//filesystem/@accessmode',
  '//filesystem/source/@dir',
  '//filesystem/target/@dir',
  '//serial/source/@*',
  '//console/source/@path',
  '//memballoon/@model',
  "//controller[@type='usb']/@model",
  "//*[local-name()='override']//*[local-name()='device']/@alias",
  "//*[local-name()='override']//*[local-name()='property']/@*",
  // The management NIC over user networking (QEMU_ARGS follow it).
  "//*[local-name()='commandline']/*[local-name()='arg'][contains(@value, 'mgmt')]/@value",
];

/** Each fact as xmllint's shell prints it, in one xmllint run. */
async function facts(file: string): Promise<Record<string, string>> {
  const input = FACTS.map((expr) => `xpath ${expr}\n`).join('');
  const r = await execa('xmllint', ['--shell', file], { input });
  const answers = r.stdout.split('/ > ').slice(1);
  return Object.fromEntries(FACTS.map((expr, i) => [expr, answers[i]!.trim()]));
}

describe('the rendered libvirt domain', () => {
  it.each(VARIANTS)('is what %s proved, element by element', async (fixture, lines) => {
    const rendered = write(`rendered-${fixture}`, render(`${LAB_AS_LV1}NUMA_NODE=0\n${lines}`));
    expect(await facts(rendered)).toEqual(await facts(path.join(FIXTURES, fixture)));
  });

  it.each<[string, string]>([
    ['conf/lab.conf (hugetlbfs, user networking, 9p, kernel)', ''],
    ['memfd', 'MEM_BACKEND=memfd\n'],
    [
      'a tap created by libvirt with NETSCRIPT, vhost',
      'MGMT_NET=tap\nIFACE=lvtap0\nNETSCRIPT=/etc/qemu-ifup\nMGMT_VHOST=yes\n',
    ],
    ['a disk alone', `${DISK}BZ_IMAGE=\nINITRD=\n`],
    [
      'KVM, two pinned vCPUs, a NUMA node, VNC, a telnet serial, a CPU model with flags',
      'QEMU_ACCEL=kvm\nQEMU_CPU=Haswell,-hle,+avx2\nVM_CPUS=2\nQEMU_VCPU_CORES=2-3\nNUMA_NODE=0\nVNC_DISPLAY=1\nVM_PORT=5001\nQEMU=/usr/bin/qemu-system-x86_64\n',
    ],
  ])("validates against libvirt's schema: %s", async (_, lines) => {
    const file = write('valid.xml', render(`${LAB_AS_LV1}${lines}`));
    const r = await execa('virt-xml-validate', [file, 'domain'], { reject: false });
    expect(r.exitCode, `${r.stdout}${r.stderr}`).toBe(0);
  });

  it('pins each vCPU to its own core and the emulator threads apart', () => {
    const xml = render(`${MINIMAL}VM_CPUS=2\nQEMU_VCPU_CORES=2-3\nQEMU_EMULATOR_CORES=0\nQEMU_ACCEL=kvm\n`);
    expect(xml).toContain(
      "<vcpupin vcpu='0' cpuset='2'/>\n    <vcpupin vcpu='1' cpuset='3'/>\n    <emulatorpin cpuset='0'/>",
    );
    expect(xml).toContain("<domain type='kvm'");
    expect(xml).toContain("<cell id='0' cpus='0-1' memory='1024' unit='MiB' memAccess='shared'/>");
    // vectors=0 is for TCG only.
    expect(xml).not.toContain('qemu:override');
  });

  it('has no <cputune> when nothing is pinned, and no <numatune> without NUMA_NODE', () => {
    const xml = render(MINIMAL);
    expect(xml).not.toContain('cputune');
    expect(xml).not.toContain('numatune');
  });

  it('escapes what XML gives a meaning, in text and attributes, and still validates', async () => {
    expect(escapeXml(`a&b<c>d'e"f`)).toBe('a&amp;b&lt;c&gt;d&apos;e&quot;f');
    const xml = render(`${LAB_AS_LV1}KERNEL_PARAMS="quiet 'x=<&>'"\nINITRD="/srv/it's & \\"more\\""\n`);
    expect(xml).toContain('<cmdline>console=ttyS0 hugepages=64 quiet x=&lt;&amp;&gt;</cmdline>');
    expect(xml).toContain('<initrd>/srv/it&apos;s &amp; &quot;more&quot;</initrd>');
    const file = write('escaped.xml', xml);
    expect((await execa('virt-xml-validate', [file, 'domain'], { reject: false })).exitCode).toBe(0);
    const r = await execa('xmllint', ['--xpath', 'string(//os/initrd)', file]);
    expect(r.stdout).toBe('/srv/it\'s & "more"');
  });

  it('marks the domain as this instance’s (config file and state folder)', () => {
    const xml = render(LAB_AS_LV1);
    expect(xml).toContain(
      "<lwaftrctl:instance xmlns:lwaftrctl='https://lwaftrctl.invalid/libvirt/1' config='/etc/lwaftrctl/test.conf' stateDir='/run/lwaftrctl/lv1'/>",
    );
  });
});
