// The one typed, validated configuration every later layer works from.
import type { ConfigProblem } from '../errors.js';

export type PortIndex = 1 | 2;

export interface NfvPort {
  index: PortIndex;
  pci: string;
  portConf: string;
  core: number;
  mac: string;
  socket: string;
}

export type MemBackend = { kind: 'hugetlbfs'; path: string } | { kind: 'memfd' };

export type MgmtNet =
  | {
      kind: 'tap';
      iface: string;
      script?: string;
      mac: string;
      vhost: boolean;
      /** VM_IP with its prefix length, if the operator gave one (10.21.21.2/24). */
      guestPrefix?: number;
    }
  | { kind: 'user'; sshPort: number; mac: string };

export interface VmConfig {
  /** Who runs QEMU: lwaftrctl itself, or libvirt (a domain rendered from the same spec). */
  engine: 'qemu' | 'libvirt';
  qemu: string;
  accel: 'kvm' | 'tcg';
  cpu: string;
  machine: string;
  cpus: number;
  memMiB: number;
  memBackend: MemBackend;
  kernel?: string;
  initrd?: string;
  kernelParams: string[];
  guestHugepages: number;
  disk?: { path: string; format?: string };
  cwd?: string;
  mgmt: MgmtNet;
  share?: string;
  vncDisplay?: number;
  serialPort?: number;
  extraArgs: string[];
  pin: { vcpuCores?: number[]; emulatorCores?: number[]; wholeProcessCores?: number[] };
}

export interface GuestSsh {
  host: string;
  port: number;
  user: string;
  identityFile?: string;
  knownHosts: string;
  hostKeyCheck: 'yes' | 'accept-new';
  connectTimeoutMs: number;
  /** SSH_OPTS -o ServerAliveInterval / ServerAliveCountMax. */
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
}

export type LwaftrCommand =
  | { kind: 'script'; start: string; stop?: string }
  | { kind: 'builtin'; conf: string; name: string; cpu?: number };

export interface LwaftrConfig {
  command: LwaftrCommand;
  snabbGuestPath?: string;
  resetVirtio: boolean;
  /** Guest folder for the lwAFTR's pid file and log. */
  guestStateDir: string;
}

export interface Timeouts {
  snabbnfvStartMs: number;
  vmStartMs: number;
  sshMs: number;
  sshConnectMs: number;
  lwaftrStartMs: number;
  powerdownMs: number;
  quitMs: number;
  termMs: number;
  lockMs: number;
}

export interface SnabbnfvConfig {
  busyWait: boolean;
  ports: [NfvPort, NfvPort];
}

export interface Config {
  /** Absolute path of the config file. */
  file: string;
  name: string;
  stateDir: string;
  snabbPath: string;
  numaNode?: number;
  snabbnfv: SnabbnfvConfig;
  vm: VmConfig;
  ssh: GuestSsh;
  lwaftr: LwaftrConfig;
  timeouts: Timeouts;
  /** Things worth saying that do not stop the run (ignored legacy keys). */
  warnings: ConfigProblem[];
  /** Where each key was set, for problems found later (paths that must exist, cores that must be online). */
  sources: Record<string, { line: number; writtenAs: string }>;
}
