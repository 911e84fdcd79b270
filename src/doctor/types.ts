// What the doctor checks report, and the view of the host they read through.
// Every check reads only through a HostView, so it can be tested against a fixture tree.

export type Component = 'host' | 'snabbnfv' | 'vm' | 'lwaftr';
export type CheckState = 'ok' | 'warn' | 'fail' | 'skip';

export interface Evidence {
  /** File path or command the value came from. */
  source: string;
  value: string;
}

export interface CheckResult {
  /** Stable, kebab-case; per-port checks end in the port number (nic-present-1). */
  id: string;
  component: Component;
  title: string;
  state: CheckState;
  evidence: Evidence[];
  message: string;
  /** The command or edit that fixes it. */
  fix?: string;
  /** The config key it concerns, as written in the file. */
  key?: string;
}

/** 'denied': something may be there, but a folder on the way is closed to this user. */
export type FileKind = 'file' | 'dir' | 'socket' | 'char' | 'block' | 'fifo' | 'other' | 'denied';

export interface FileInfo {
  kind: FileKind;
  size: number;
  /** Permission bits (mode & 0o7777). */
  mode: number;
}

export interface RunOptions {
  timeoutMs: number;
  /** Stop the program as soon as its standard output contains this text. */
  until?: string;
}

export interface RunResult {
  /** Exit code; null when it was killed (deadline, `until`) or could not start. */
  code: number | null;
  signal?: string;
  stdout: string;
  stderr: string;
  /** The deadline ran out before the program ended. */
  timedOut: boolean;
  /** `until` was seen, and the program was stopped. */
  matched: boolean;
  /** Why the program could not be started (not found, not executable). */
  startError?: string;
  ms: number;
}

export interface HostView {
  /** Text of a host file; undefined when it is missing or unreadable. */
  read(p: string): string | undefined;
  /** What is at a host path (links followed); undefined when nothing is. */
  stat(p: string): FileInfo | undefined;
  /** Entry names of a host folder; undefined when it is missing. */
  list(dir: string): string[] | undefined;
  /** Target of a symbolic link; undefined when p is not one. */
  readLink(p: string): string | undefined;
  /** Whether this process may read, write or execute p ('r', 'w', 'x' or combinations). */
  access(p: string, mode: string): boolean;
  /** Host path of a program: p itself when it has a slash, else the first PATH entry that is executable. */
  which(program: string): string | undefined;
  /** Runs argv (no shell) with a deadline. */
  run(argv: string[], options: RunOptions): Promise<RunResult>;
  /** IPv4 addresses (with prefix) of a network interface; undefined when they cannot be read. */
  ipv4Addresses(iface: string): Promise<string[] | undefined>;
  /** Whether a TCP port can be listened on at host. */
  portFree(host: string, port: number): Promise<boolean>;
}

export interface GuestExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs argv in the guest (quoted once, at the edge, by the caller's SSH layer). */
export type GuestExec = (argv: string[]) => Promise<GuestExecResult>;

export interface DoctorOptions {
  /** Boot QEMU under KVM for up to two seconds to prove KVM works (slow: off by default). */
  kvmProbe?: boolean;
  /**
   * This instance's VM is running: its sockets, SSH port and hugepages are taken by it,
   * which is then expected rather than a problem.
   */
  vmRunning?: boolean;
}
