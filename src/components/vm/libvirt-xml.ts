// The VM spec written out as a libvirt domain (what `export libvirt` prints and VM_ENGINE=libvirt
// defines). Nothing is decided here that the spec has not decided; where libvirt 9.0 has no element
// for what lwaftrctl's QEMU command line does, <qemu:override> or <qemu:commandline> carries it
// (test/fixtures/libvirt/README.md says what was proven and why).
import path from 'node:path';
import { joinKernelParams } from '../../shell/kernel-cmdline.js';
import { formatCoreList } from '../../util/core-list.js';
import { mgmtNicArgs } from './qemu-argv.js';
import type { DataNic, MgmtNic, Serial, VmSpec } from './spec.js';
import { el, writeXml, type XmlElement } from './xml.js';

const QEMU_NS = 'http://libvirt.org/schemas/domain/qemu/1.0';
/** lwaftrctl's mark on a domain it defined: which instance (state folder) it belongs to. */
export const LWAFTRCTL_NS = 'https://lwaftrctl.invalid/libvirt/1';

/** PCI slots of the devices libvirt places; every one is fixed, so libvirt never hands out 0x0a (the user NIC). */
const SLOTS = { video: 0x02, share: 0x03, disk: 0x04 } as const;

/** The alias of each NIC (libvirt requires the `ua-` prefix); QEMU's chardev is `char` + alias. */
export function nicAlias(nic: DataNic | 'mgmt'): string {
  return nic === 'mgmt' ? 'ua-mgmt' : `ua-vhu${nic.index}`;
}

export function libvirtChardev(nic: DataNic): string {
  return `char${nicAlias(nic)}`;
}

export interface DomainOwner {
  /** The config file and state folder of the instance that defined the domain. */
  config: string;
  stateDir: string;
}

export function renderLibvirtDomain(spec: VmSpec, owner: DomainOwner): string {
  return writeXml(domainElement(spec, owner));
}

function domainElement(spec: VmSpec, owner: DomainOwner): XmlElement {
  const vectors = spec.dataNics.filter((n) => n.vectors !== undefined);
  const commandline = [...(spec.mgmtNic.kind === 'user' ? mgmtNicArgs(spec.mgmtNic) : []), ...spec.extraArgs];
  return el(
    'domain',
    { type: spec.accel === 'kvm' ? 'kvm' : 'qemu', 'xmlns:qemu': QEMU_NS },
    el('name', {}, spec.name),
    el(
      'metadata',
      {},
      el('lwaftrctl:instance', { 'xmlns:lwaftrctl': LWAFTRCTL_NS, config: owner.config, stateDir: owner.stateDir }),
    ),
    el('memory', { unit: 'MiB' }, String(spec.memory.mib)),
    memoryBacking(spec),
    el('vcpu', { placement: 'static' }, String(spec.vcpus)),
    cputune(spec),
    spec.numaNode !== undefined && el('numatune', {}, el('memory', { mode: 'strict', nodeset: String(spec.numaNode) })),
    osElement(spec),
    el('features', {}, el('acpi')),
    cpuElement(spec),
    el('on_poweroff', {}, 'destroy'),
    el('on_reboot', {}, 'restart'),
    el('on_crash', {}, 'destroy'),
    devices(spec),
    vectors.length > 0 &&
      el(
        'qemu:override',
        {},
        vectors.map((nic) =>
          el(
            'qemu:device',
            { alias: nicAlias(nic) },
            el(
              'qemu:frontend',
              {},
              el('qemu:property', { name: 'vectors', type: 'unsigned', value: String(nic.vectors) }),
            ),
          ),
        ),
      ),
    commandline.length > 0 &&
      el(
        'qemu:commandline',
        {},
        commandline.map((value) => el('qemu:arg', { value })),
      ),
  );
}

/** Shared memory, as vhost-user backends need: hugepages (preallocated, as QEMU's prealloc=on) or a memfd. */
function memoryBacking(spec: VmSpec): XmlElement {
  // libvirt picks its own hugetlbfs mount of the default page size; HUGEPAGES_FS is QEMU's only.
  const huge = spec.memory.backend.kind === 'hugetlbfs';
  return el(
    'memoryBacking',
    {},
    huge ? el('hugepages') : el('source', { type: 'memfd' }),
    el('access', { mode: 'shared' }),
    huge && el('allocation', { mode: 'immediate' }),
  );
}

function cputune(spec: VmSpec): XmlElement | undefined {
  const { vcpus, emulator } = spec.pinning;
  if (vcpus.length === 0 && !emulator) return undefined;
  return el(
    'cputune',
    {},
    vcpus.map((p) => el('vcpupin', { vcpu: p.vcpu, cpuset: formatCoreList(p.cores) })),
    emulator && el('emulatorpin', { cpuset: formatCoreList(emulator) }),
  );
}

function osElement(spec: VmSpec): XmlElement {
  const arch = /qemu-system-(\w+)$/.exec(path.basename(spec.program))?.[1] ?? 'x86_64';
  const k = spec.kernel;
  return el(
    'os',
    {},
    el('type', { arch, machine: spec.machine }, 'hvm'),
    k && el('kernel', {}, k.path),
    k?.initrd && el('initrd', {}, k.initrd),
    k && el('cmdline', {}, joinKernelParams(k.cmdline)),
    !k && el('boot', { dev: 'hd' }),
  );
}

/** QEMU's -cpu MODEL[,+feat,-feat,feat=on|off]: max and host have modes of their own in libvirt. */
function cpuElement(spec: VmSpec): XmlElement {
  const [model = 'max', ...flags] = spec.cpu.split(',');
  const mode = model === 'max' ? 'maximum' : model === 'host' ? 'host-passthrough' : 'custom';
  const features = flags.map((f) => {
    const m = /^([+-]?)([\w.-]+)(?:=(on|off))?$/.exec(f);
    const off = m?.[1] === '-' || m?.[3] === 'off';
    return el('feature', { policy: off ? 'disable' : 'require', name: m?.[2] ?? f });
  });
  return el(
    'cpu',
    { mode, match: mode === 'custom' ? 'exact' : undefined },
    mode === 'custom' && el('model', { fallback: 'forbid' }, model),
    features,
    el(
      'numa',
      {},
      el('cell', {
        id: 0,
        cpus: spec.vcpus === 1 ? '0' : `0-${spec.vcpus - 1}`,
        memory: spec.memory.mib,
        unit: 'MiB',
        memAccess: 'shared',
      }),
    ),
  );
}

function pciAddress(slot: number): XmlElement {
  return el('address', {
    type: 'pci',
    domain: '0x0000',
    bus: '0x00',
    slot: `0x${slot.toString(16).padStart(2, '0')}`,
    function: '0x0',
  });
}

function devices(spec: VmSpec): XmlElement {
  const emulator = path.isAbsolute(spec.program) ? el('emulator', {}, spec.program) : undefined;
  return el(
    'devices',
    {},
    // A bare program name: libvirt's own emulator for the arch (the same program, on its path).
    emulator,
    el('controller', { type: 'usb', model: 'none' }),
    spec.disk &&
      el(
        'disk',
        { type: 'file', device: 'disk' },
        el('driver', { name: 'qemu', type: spec.disk.format }),
        el('source', { file: spec.disk.path }),
        el('target', { dev: 'vda', bus: 'virtio' }),
        pciAddress(SLOTS.disk),
      ),
    spec.dataNics.map(dataNic),
    spec.mgmtNic.kind === 'tap' && tapNic(spec.mgmtNic),
    spec.share &&
      el(
        'filesystem',
        { type: 'mount', accessmode: 'passthrough' },
        el('driver', { type: 'path' }),
        el('source', { dir: spec.share.path }),
        el('target', { dir: spec.share.tag }),
        pciAddress(SLOTS.share),
      ),
    spec.serials.map(serial),
    spec.serials[0]?.kind === 'file' &&
      el(
        'console',
        { type: 'file' },
        el('source', { path: spec.serials[0].path, append: 'off' }),
        el('target', { type: 'serial', port: 0 }),
      ),
    // VNC on loopback only, as with QEMU: reach it through an SSH tunnel.
    spec.vncDisplay !== undefined && [
      el('graphics', { type: 'vnc', port: 5900 + spec.vncDisplay, autoport: 'no', listen: '127.0.0.1' }),
      el('video', {}, el('model', { type: 'vga' }), pciAddress(SLOTS.video)),
    ],
    // A balloon would let the host take back memory a backend maps.
    el('memballoon', { model: 'none' }),
  );
}

/** QEMU is the vhost-user server on the socket, as with lwaftrctl's own command line; transitional for Snabb. */
function dataNic(nic: DataNic): XmlElement {
  return el(
    'interface',
    { type: 'vhostuser' },
    el('mac', { address: nic.mac }),
    el('source', { type: 'unix', path: nic.socket, mode: 'server' }),
    el('model', { type: 'virtio-transitional' }),
    el('alias', { name: nicAlias(nic) }),
    pciAddress(nic.slot),
  );
}

/**
 * With NETSCRIPT, libvirt creates the tap and runs the script with its name, as QEMU does;
 * without, the tap is the operator's and libvirt only opens it (managed='no').
 */
function tapNic(nic: Extract<MgmtNic, { kind: 'tap' }>): XmlElement {
  return el(
    'interface',
    { type: 'ethernet' },
    el('mac', { address: nic.mac }),
    el('target', { dev: nic.iface, managed: nic.script ? undefined : 'no' }),
    nic.script && el('script', { path: nic.script }),
    el('model', { type: 'virtio' }),
    el('driver', { name: nic.vhost ? 'vhost' : 'qemu' }),
    el('alias', { name: nicAlias('mgmt') }),
    pciAddress(nic.slot),
  );
}

function serial(s: Serial, port: number): XmlElement {
  if (s.kind === 'file')
    return el('serial', { type: 'file' }, el('source', { path: s.path, append: 'off' }), el('target', { port }));
  return el(
    'serial',
    { type: 'tcp' },
    el('source', { mode: 'bind', host: '127.0.0.1', service: s.port }),
    el('protocol', { type: 'telnet' }),
    el('target', { port }),
  );
}
