// What `status` reports, per component. Every key is present in every state (null where
// unknown), so that scripts can rely on the shape.

/** foreign: something lwaftrctl did not start holds this component's names (status exit 4). */
export type State = 'running' | 'stopped' | 'degraded' | 'broken' | 'unknown' | 'foreign';

/** A component's state, why it is not running as it should, and the command that fixes it. */
export interface Verdict {
  state: State;
  reason: string | null;
  fix: string | null;
  /** A process of this component died and left its pid file (LSB exit 1). */
  deadWithPidFile: boolean;
}

export interface PortStatus {
  port: 1 | 2;
  state: 'running' | 'dead' | 'foreign' | 'stopped';
  pid: number | null;
  uptimeSeconds: number | null;
  pci: string;
  core: { wanted: string; actual: string | null };
  socket: string;
  /** Whether QEMU sees this backend connected; null when QEMU does not run. */
  backendConnected: boolean | null;
  screen: string | null;
  attach: string | null;
  log: string;
  lastLine: string | null;
  /** Why a pid file was not taken as this port's process. */
  note: string | null;
  /** A screen session with this port's name that lwaftrctl did not start (pid.name). */
  foreignSession: string | null;
  /** The backend's last load report (snabbnfv prints one every second). */
  load: LoadReport | null;
  /** What it has moved to and from the VM since it started, from Snabb's link counters. */
  traffic: BackendTraffic | null;
}

export interface BackendTraffic {
  toVmPackets: number;
  toVmBytes: number;
  fromVmPackets: number;
  fromVmBytes: number;
}

/** snabbnfv's "load: time: 1.00s  fps: 12  fpGbps: 0.000 fpb: 0  bpp: 60  sleep: 100 us". */
export interface LoadReport {
  fps: number;
  fpGbps: number;
  fpb: number;
  bpp: number | null;
  sleepUs: number | null;
}

export interface SnabbnfvStatus extends Verdict {
  ports: PortStatus[];
}

export interface ThreadPinning {
  wanted: string;
  actual: string;
  ok: boolean;
}

export interface PinningStatus {
  ok: boolean;
  /** One per vCPU, in vCPU order, found by the thread id QMP reports. */
  vcpus: (ThreadPinning & { vcpu: number; threadId: number })[];
  /** Every other thread of QEMU. */
  emulator: ThreadPinning;
}

/** VM_ENGINE=libvirt: the domain as `virsh domstate --reason` words it. */
export interface DomainStatus {
  name: string;
  uri: string;
  state: string;
  reason: string;
}

export interface VmStatus extends Verdict {
  /** Who runs QEMU (VM_ENGINE). */
  engine: 'qemu' | 'libvirt';
  /** The libvirt domain; null under the qemu engine, or when libvirt has no domain of that name. */
  domain: DomainStatus | null;
  pid: number | null;
  uptimeSeconds: number | null;
  qmpStatus: string | null;
  /** QEMU chardev id → backend connected. */
  backends: Record<string, boolean> | null;
  guestReachable: boolean | null;
  pinning: PinningStatus | null;
  ssh: string;
  qmpSocket: string;
  logs: { qemu: string; console: string };
  note: string | null;
}

export interface LwaftrStatus extends Verdict {
  pid: number | null;
  lastLine: string | null;
  /** Snabb's lwAFTR counters (name → value), read from its shm tree; null when it has none. */
  counters: Record<string, number> | null;
  /** Per second since the previous status read them; null on the first read. */
  rates: Record<string, number> | null;
  /** When they were read: seconds since the guest booted. */
  countersAt: number | null;
  log: string;
  pidFile: string;
}

export interface InstanceStatus {
  snabbnfv: SnabbnfvStatus;
  vm: VmStatus;
  lwaftr: LwaftrStatus;
}

export const RUNNING: Verdict = { state: 'running', reason: null, fix: null, deadWithPidFile: false };
export const STOPPED: Verdict = { state: 'stopped', reason: null, fix: null, deadWithPidFile: false };
