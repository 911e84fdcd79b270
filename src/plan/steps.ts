// A plan is data: the ordered steps a component takes. The dry run prints them,
// the executors carry them out; neither adds steps of its own.
import type { SshTarget } from '../io/guest-ssh.js';
import type { ProcessRef } from '../io/process-identity.js';
import type { SingleComponent } from './component-names.js';

/** A process a wait depends on, and the log that tells why it died. */
export interface Watched {
  process: ProcessRef;
  log: string;
}

/** The cores one vCPU thread is pinned to. */
export interface VcpuPin {
  vcpu: number;
  cores: number[];
}

export type WaitFor =
  | { kind: 'log-line'; file: string; text: string; process: ProcessRef }
  | { kind: 'qmp-ready'; socket: string; process: ProcessRef }
  | { kind: 'chardevs-connected'; socket: string; chardevs: string[] }
  /** A backend started while QEMU runs: alive, past its start line, and connected as QEMU sees it. */
  | { kind: 'backend-connected'; process: ProcessRef; log: string; text: string; socket: string; chardev: string }
  | { kind: 'qmp-status'; socket: string; status: string }
  | { kind: 'ssh-banner'; host: string; port: number; consoleLog: string }
  | { kind: 'processes-gone'; processes: ProcessRef[] }
  /** Alive with a first line of output and, when given, `ready` there (PID: its pid). */
  | { kind: 'guest-process-started'; ssh: SshTarget; pidFile: string; log: string; ready?: string }
  /** Once the process is proven gone, its pid file in the guest is removed. */
  | { kind: 'guest-process-gone'; ssh: SshTarget; pidFile: string }
  // VM_ENGINE=libvirt: the domain as libvirt and QEMU (through virsh) report it.
  /** `virsh domstate`; a domain libvirt does not know reads as "shut off". */
  | { kind: 'domain-state'; domain: string; state: 'running' | 'shut off' }
  /** The vhost-user chardevs (libvirt's labels) connected, from QMP query-chardev through virsh. */
  | { kind: 'domain-chardevs-connected'; domain: string; chardevs: string[] }
  /** Each vCPU thread on its cores, every other QEMU thread on the emulator cores (QEMU's pid from pidFile). */
  | { kind: 'domain-pinned'; domain: string; pidFile: string; vcpus: VcpuPin[]; emulator?: number[] };

export type Step =
  | { kind: 'mkdir'; path: string; note?: string }
  | { kind: 'write-file'; path: string; content: string; note?: string }
  /** Run to completion; non-zero exit fails the step; past timeoutMs the program is ended and the run times out. */
  | { kind: 'run'; argv: string[]; cwd?: string; timeoutMs?: number; note?: string }
  /** Start a long-running program detached, output to log, identity recorded. */
  | { kind: 'spawn'; argv: string[]; cwd?: string; log: string; process: ProcessRef; note?: string }
  /** `watch`: processes the awaited thing depends on; one that dies fails the wait at once, with its log. */
  | { kind: 'wait'; for: WaitFor; timeoutMs: number; watch?: Watched[]; note?: string }
  /** Graceful to forced: each stage's step, then up to its timeout for `until`; the first to get there ends it. */
  | { kind: 'escalate'; until: WaitFor; stages: EscalationStage[]; note?: string }
  | { kind: 'qmp'; socket: string; execute: string; arguments?: Record<string, unknown>; note?: string }
  /** Each vCPU thread, found by its QMP thread id, to its cores. */
  | { kind: 'pin-vcpus'; socket: string; process: ProcessRef; pins: VcpuPin[]; note?: string }
  | { kind: 'signal'; processes: ProcessRef[]; signal: 'TERM' | 'KILL'; note?: string }
  /** Close the screen session left around a stopped program, if any. */
  | { kind: 'screen-quit'; session: string; process: ProcessRef; note?: string }
  | { kind: 'remote'; ssh: SshTarget; argv: string[]; note?: string }
  /** Keep the previous run's log as LOG.1, so that readiness reads only this run's output. */
  | { kind: 'rotate-log'; path: string; note?: string };

export interface EscalationStage {
  step: Step;
  timeoutMs: number;
}

export type StepKind = Step['kind'];

export interface ComponentPlan {
  component: SingleComponent;
  action: 'start' | 'stop';
  steps: Step[];
  /** Carried out only when the same run's stop of this component stopped it (it was running). */
  ifStopped?: true;
}
