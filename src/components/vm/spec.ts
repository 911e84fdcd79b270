// The VM resolved once from the config: every rule about memory, NICs, boot, serials and pinning
// is applied here, so that the QEMU argv (and any other renderer) only writes it out, and status
// checks the live VM against the same spec.
import type { Config, PortIndex } from '../../config/types.js';
import { instancePaths } from '../../plan/instance-paths.js';
import type { VcpuPin } from '../../plan/steps.js';

/** QEMU slots of the two vhost-user NICs; Snabb's guest driver finds them at 0000:00:08.0 and 0000:00:09.0. */
const DATA_NIC_SLOTS: Record<PortIndex, number> = { 1: 0x8, 2: 0x9 };
const MGMT_NIC_SLOT = 0xa;

export interface DataNic {
  index: PortIndex;
  /** QEMU's ids: the chardev of the vhost-user socket and its netdev. */
  chardev: string;
  netdev: string;
  /** QEMU is the vhost-user server on it; snabbnfv connects. */
  socket: string;
  slot: number;
  guestPci: string;
  mac: string;
  /** MSI-X vectors; 0 under TCG, where QEMU 7.2 segfaults when the guest starts a vhost-user NIC with vectors. */
  vectors?: number;
}

export type MgmtNic = { slot: number; mac: string } & (
  | { kind: 'tap'; iface: string; script?: string; vhost: boolean }
  | { kind: 'user'; hostPort: number }
);

export type Serial = { kind: 'file'; path: string } | { kind: 'telnet'; port: number };

export interface VmPinning {
  /** One entry per vCPU; none when vCPU threads are left where QEMU puts them. */
  vcpus: VcpuPin[];
  /** Every other QEMU thread (and the launch, which they inherit). */
  emulator?: number[];
}

export interface VmSpec {
  name: string;
  program: string;
  cwd?: string;
  numaNode?: number;
  machine: string;
  accel: 'kvm' | 'tcg';
  cpu: string;
  vcpus: number;
  /** Hugepage memory is preallocated, so that a short pool fails QEMU's start, not the guest later. */
  memory: { mib: number; backend: { kind: 'hugetlbfs'; path: string; prealloc: true } | { kind: 'memfd' } };
  dataNics: [DataNic, DataNic];
  mgmtNic: MgmtNic;
  kernel?: { path: string; initrd?: string; cmdline: string[] };
  disk?: { path: string; format?: string };
  /** Host folder shared over 9p with this mount tag. */
  share?: { path: string; tag: string };
  /** In guest order: the first is ttyS0. */
  serials: Serial[];
  vncDisplay?: number;
  pinning: VmPinning;
  control: { qmpSocket: string; pidFile: string; log: string; consoleLog: string };
  extraArgs: string[];
}

export function resolveVmSpec(config: Config): VmSpec {
  const vm = config.vm;
  const paths = instancePaths(config);
  return {
    name: config.name,
    program: vm.qemu,
    cwd: vm.cwd,
    numaNode: config.numaNode,
    machine: vm.machine,
    accel: vm.accel,
    cpu: vm.cpu,
    vcpus: vm.cpus,
    memory: {
      mib: vm.memMiB,
      backend: vm.memBackend.kind === 'hugetlbfs' ? { ...vm.memBackend, prealloc: true } : vm.memBackend,
    },
    dataNics: config.snabbnfv.ports.map(
      (port): DataNic => ({
        index: port.index,
        chardev: paths.snabbnfv[port.index].chardev,
        netdev: `net${port.index - 1}`,
        socket: port.socket,
        slot: DATA_NIC_SLOTS[port.index],
        guestPci: guestPciOf(DATA_NIC_SLOTS[port.index]),
        mac: port.mac,
        vectors: vm.accel === 'tcg' ? 0 : undefined,
      }),
    ) as [DataNic, DataNic],
    mgmtNic:
      vm.mgmt.kind === 'tap'
        ? {
            kind: 'tap',
            iface: vm.mgmt.iface,
            script: vm.mgmt.script,
            vhost: vm.mgmt.vhost,
            slot: MGMT_NIC_SLOT,
            mac: vm.mgmt.mac,
          }
        : { kind: 'user', hostPort: vm.mgmt.sshPort, slot: MGMT_NIC_SLOT, mac: vm.mgmt.mac },
    kernel: vm.kernel ? { path: vm.kernel, initrd: vm.initrd, cmdline: kernelCommandLine(config) } : undefined,
    disk: vm.disk,
    share: vm.share ? { path: vm.share, tag: 'share' } : undefined,
    serials: serialsOf(config),
    vncDisplay: vm.vncDisplay,
    pinning: resolvePinning(config),
    control: {
      qmpSocket: paths.qmpSocket,
      pidFile: paths.qemuPidFile,
      log: paths.qemuLog,
      consoleLog: paths.consoleLog,
    },
    extraArgs: vm.extraArgs,
  };
}

/**
 * QEMU_VCPU_CORES (else QEMU_CORE) for the vCPU threads, QEMU_EMULATOR_CORES (else QEMU_CORE)
 * for every other thread. One core per vCPU when the operator gave exactly that many.
 */
export function resolvePinning(config: Config): VmPinning {
  const pin = config.vm.pin;
  const vcpuCores = pin.vcpuCores ?? pin.wholeProcessCores;
  const n = config.vm.cpus;
  const oneEach = vcpuCores !== undefined && vcpuCores.length === n && n > 1;
  const vcpus = vcpuCores
    ? Array.from({ length: n }, (_, vcpu) => ({ vcpu, cores: oneEach ? [vcpuCores[vcpu]!] : vcpuCores }))
    : [];
  return { vcpus, emulator: pin.emulatorCores ?? pin.wholeProcessCores };
}

/** The kernel's ip=: the address alone as the bash tool wrote it, or with its netmask when VM_IP has a prefix. */
function ipOption(address: string, prefix: number | undefined): string {
  if (prefix === undefined) return `ip=${address}`;
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  const netmask = [24, 16, 8, 0].map((shift) => (mask >>> shift) & 0xff).join('.');
  return `ip=${address}:::${netmask}:::off`;
}

/** Where the guest sees a device in slot `slot` of bus 0. */
function guestPciOf(slot: number): string {
  return `0000:00:${slot.toString(16).padStart(2, '0')}.0`;
}

/**
 * The console log file, and with VM_PORT a telnet serial before it, as the 2017 tool laid them
 * out: ttyS0 on telnet (where a guest's getty answers), the kernel's console on ttyS1.
 */
function serialsOf(config: Config): Serial[] {
  const file: Serial = { kind: 'file', path: instancePaths(config).consoleLog };
  const port = config.vm.serialPort;
  return port === undefined ? [file] : [{ kind: 'telnet', port }, file];
}

export function kernelCommandLine(config: Config): string[] {
  const vm = config.vm;
  const words = [`console=ttyS${serialsOf(config).findIndex((s) => s.kind === 'file')}`];
  if (vm.disk) words.push('root=/dev/vda', 'rw');
  if (vm.mgmt.kind === 'tap') words.push(ipOption(config.ssh.host, vm.mgmt.guestPrefix));
  words.push(`hugepages=${vm.guestHugepages}`, ...vm.kernelParams);
  return words;
}
