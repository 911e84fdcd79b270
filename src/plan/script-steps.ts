// One plan step as lines of the dry-run script: a call of the script's helpers (script-lib-*.ts)
// per step, the waits as bounded loops, an escalation as a chain of stages.
import { GUEST_LAUNCH, GUEST_PROCESS_STATE, GUEST_STOP_RECORDED } from '../io/guest-process.js';
import type { ProcessRef } from '../io/process-identity.js';
import { describe } from '../run/wait-checks.js';
import { quoteArg, quoteArgv, quoteRemoteArgv } from '../shell/quote.js';
import { formatCoreList } from '../util/core-list.js';
import { renderStepBody } from './render-shell.js';
import type { Step, WaitFor } from './steps.js';

/** How the script names what the instance section defines once. */
export interface ScriptNames {
  /** The NAME of the script's proc_NAME function for a process. */
  process(ref: ProcessRef): string;
  /** A path as a word of the script: "$QMP" for the instance's QMP socket. */
  path(file: string): string;
}

/** The constant scripts lwaftrctl runs in the guest, each defined once as a variable of the script. */
export const GUEST_SCRIPTS: [variable: string, script: string][] = [
  ['GUEST_LAUNCH', GUEST_LAUNCH],
  ['GUEST_STOP', GUEST_STOP_RECORDED],
  ['GUEST_STATE', GUEST_PROCESS_STATE],
];

export function scriptStep(step: Step, n: ScriptNames): string[] {
  const note = step.note ? [`# ${step.note}`] : [];
  return [...note, ...scriptBody(step, n)];
}

function scriptBody(step: Step, n: ScriptNames): string[] {
  switch (step.kind) {
    case 'mkdir':
    case 'write-file':
    case 'rotate-log':
      return renderStepBody(step);
    case 'run': {
      const deadline = step.timeoutMs ? `timeout ${seconds(step.timeoutMs)}s ` : '';
      return [`run_in ${quoteArg(step.cwd ?? '.')} ${deadline}${quoteArgv(step.argv)}`];
    }
    case 'spawn':
      return [
        `spawn ${n.process(step.process)} ${quoteArg(step.log)} ${quoteArg(step.cwd ?? '.')} ${quoteArgv(step.argv)}`,
      ];
    case 'wait':
      return [`wait_for ${seconds(step.timeoutMs)} ${quoteArg(describe(step.for))} ${check(step.for, n)}`];
    case 'escalate':
      return escalation(step, n);
    case 'qmp': {
      const args = step.arguments ? ` ${quoteArg(JSON.stringify(step.arguments))}` : '';
      return [`qmp_run ${n.path(step.socket)} ${quoteArg(step.execute)}${args}`];
    }
    case 'pin-vcpus':
      return step.pins.map(
        (p) => `pin_vcpu ${n.path(step.socket)} ${n.process(step.process)} ${p.vcpu} ${formatCoreList(p.cores)}`,
      );
    case 'signal':
      return [`signal_ours ${step.signal} ${step.processes.map(n.process).join(' ')}`];
    case 'screen-quit':
      return [`screen_quit ${quoteArg(step.session)} ${n.process(step.process)}`];
    case 'remote':
      return [`in_guest ${remoteWords(step.argv)}`];
  }
}

/** The wait's check: a helper that succeeds once the thing awaited is there. */
function check(w: WaitFor, n: ScriptNames): string {
  switch (w.kind) {
    case 'log-line':
      return `printed ${n.process(w.process)} ${quoteArg(w.file)} ${quoteArg(w.text)}`;
    case 'qmp-ready':
      return `qmp_ready ${n.path(w.socket)} ${n.process(w.process)}`;
    case 'chardevs-connected':
      return `connected ${n.path(w.socket)} ${quoteArgv(w.chardevs)}`;
    case 'backend-connected':
      return (
        `backend_connected ${n.process(w.process)} ${quoteArg(w.log)} ${quoteArg(w.text)} ${n.path(w.socket)} ` +
        quoteArg(w.chardev)
      );
    case 'qmp-status':
      return `qmp_status ${n.path(w.socket)} ${quoteArg(w.status)}`;
    case 'ssh-banner':
      return `ssh_banner ${quoteArg(w.host)} ${w.port} ${quoteArg(w.consoleLog)}`;
    case 'processes-gone':
      return `gone ${w.processes.map(n.process).join(' ')}`;
    case 'guest-process-started':
      return `guest_started ${[w.pidFile, w.log, ...(w.ready ? [w.ready] : [])].map(quoteArg).join(' ')}`;
    case 'guest-process-gone':
      return `guest_gone ${quoteArg(w.pidFile)}`;
    case 'domain-state':
      return `domain_state ${quoteArg(w.domain)} ${quoteArg(w.state)}`;
    case 'domain-chardevs-connected':
      return `domain_connected ${quoteArg(w.domain)} ${quoteArgv(w.chardevs)}`;
    case 'domain-pinned': {
      const wanted = [
        ...w.vcpus.map((v) => `${v.vcpu}=${formatCoreList(v.cores)}`),
        ...(w.emulator ? [`emulator=${formatCoreList(w.emulator)}`] : []),
      ];
      return `domain_pinned ${quoteArg(w.domain)} ${quoteArg(w.pidFile)} ${quoteArgv(wanted)}`;
    }
  }
}

/**
 * Done if already so; else each stage's step, then up to its deadline for it; the first stage that
 * gets there ends the chain. A stage's step that fails (QMP already closed) just hands over to the next.
 */
function escalation(step: Extract<Step, { kind: 'escalate' }>, n: ScriptNames): string[] {
  const until = check(step.until, n);
  return [
    `${until} ||`,
    ...step.stages.flatMap((s) => [
      ...(s.step.note ? [`  # ${s.step.note}`] : []),
      `  { ${scriptBody(s.step, n).join('; ')}; try_for ${seconds(s.timeoutMs)} ${until}; } ||`,
    ]),
    `  fail 1 ${quoteArg(`could not get ${describe(step.until)}, even with the last resort`)} ` +
      quoteArg('see the logs in the state folder; the process may be stuck in the kernel (state D)'),
  ];
}

/**
 * A command for the guest, quoted once for the guest's shell and once for this one, as renderSsh
 * does; lwaftrctl's constant guest scripts by the name of the variable that holds them.
 */
function remoteWords(argv: string[]): string {
  if (argv[0] === 'sudo' && argv[1] === '-n') return `$AS_ROOT ${remoteWords(argv.slice(2))}`;
  const known = argv[0] === 'sh' && argv[1] === '-c' ? GUEST_SCRIPTS.find(([, s]) => s === argv[2]) : undefined;
  if (known) return `"$${known[0]}" ${quoteArg(quoteRemoteArgv(argv.slice(3)))}`;
  return quoteArg(quoteRemoteArgv(argv));
}

/** Seconds as the config gives them (30, 0.5). */
export function seconds(ms: number): string {
  return String(ms / 1000);
}
