// The dry-run script's instance part: what it defines once (processes, QMP socket, the guest over
// SSH), and the checks each component's controller makes around its plan, as shell lines.
import { snabbnfvProcess } from '../components/snabbnfv/plan.js';
import { qemuProcess } from '../components/vm/plan.js';
import type { Config } from '../config/types.js';
import { asRoot } from '../io/guest-process.js';
import type { ProcessRef } from '../io/process-identity.js';
import { quoteArg, quoteArgv } from '../shell/quote.js';
import { sshOptionArgv } from '../shell/ssh-options.js';
import { instancePaths } from './instance-paths.js';
import type { ScriptNames } from './script-steps.js';
import type { ComponentPlan, Step, WaitFor } from './steps.js';

/** Where the script's own part begins, after the helpers every script shares. */
export const INSTANCE_MARK = '# ---- Instance ';

/** Every process the plans name, and this instance's own, each under one shell name. */
export function scriptNames(config: Config, plans: ComponentPlan[]): ScriptNames & { processes: ProcessRef[] } {
  const own = [...config.snabbnfv.ports.map((p) => snabbnfvProcess(config, p)), qemuProcess(config)];
  const byPidFile = new Map<string, ProcessRef>();
  for (const ref of [...own, ...plans.flatMap((p) => p.steps.flatMap(processesOf))])
    if (!byPidFile.has(ref.pidFile)) byPidFile.set(ref.pidFile, ref);
  const qmp = instancePaths(config).qmpSocket;
  return {
    processes: [...byPidFile.values()],
    process: (ref) => shellName(byPidFile.get(ref.pidFile) ?? ref),
    path: (file) => (file === qmp ? '"$QMP"' : quoteArg(file)),
  };
}

/** "snabbnfv port 1" → snabbnfv_port_1: the script's proc_NAME function. */
function shellName(ref: ProcessRef): string {
  return ref.label.toLowerCase().replace(/[^a-z0-9]+/g, '_');
}

function processesOf(step: Step): ProcessRef[] {
  switch (step.kind) {
    case 'spawn':
    case 'pin-vcpus':
    case 'screen-quit':
      return [step.process];
    case 'signal':
      return step.processes;
    case 'wait':
      return waitProcesses(step.for);
    case 'escalate':
      return [...waitProcesses(step.until), ...step.stages.flatMap((s) => processesOf(s.step))];
    default:
      return [];
  }
}

function waitProcesses(w: WaitFor): ProcessRef[] {
  if (w.kind === 'processes-gone') return w.processes;
  return 'process' in w ? [w.process] : [];
}

export function instanceSection(config: Config, names: ReturnType<typeof scriptNames>): string[] {
  const paths = instancePaths(config);
  const ssh = config.ssh;
  const sshOpts = [...sshOptionArgv(ssh), '-o', 'BatchMode=yes'];
  return [
    `${INSTANCE_MARK}${config.name}: its processes, QMP socket and logs, and its guest ----`,
    `QMP=${quoteArg(paths.qmpSocket)}`,
    `QEMU_LOG=${quoteArg(paths.qemuLog)}`,
    `SNABBNFV_LOG=${quoteArg(paths.snabbnfv[1].log)}`,
    "# Each process as lwaftrctl proves it is this instance's: pid file, identity record, name, then the",
    '# words its command line must hold.',
    ...names.processes.map(
      (p) => `proc_${names.process(p)}() { identify ${quoteArgv([p.pidFile, p.record, p.label, ...p.cmdlineHas])}; }`,
    ),
    "# The guest over SSH, with the configured options; COMMAND is quoted for the guest's shell.",
    `guest() { ssh ${quoteArgv(sshOpts)} ${quoteArg(`${ssh.user}@${ssh.host}`)} "$*"; }`,
    '# What needs root in the guest goes through sudo -n when VM_USER is not root.',
    `AS_ROOT=${quoteArg(asRoot(ssh.user, []).join(' '))}`,
    '',
  ];
}

/** What the controller checks before and does after a component's plan, beyond the plan's steps. */
export function aroundPlan(config: Config, plan: ComponentPlan, names: ReturnType<typeof scriptNames>): Around {
  const paths = instancePaths(config);
  const ports = config.snabbnfv.ports.map((p) => names.process(snabbnfvProcess(config, p))).join(' ');
  const qemu = names.process(qemuProcess(config));
  const sockets = quoteArgv([paths.qmpSocket, ...config.snabbnfv.ports.map((p) => p.socket)]);
  const cli = (what: string) => `lwaftrctl -f ${quoteArg(config.file)} ${what}`;
  const guestPid = quoteArg(paths.guest.pidFile);
  const needBackends =
    `need_running 'QEMU would block until a vhost-user backend connects to every socket' ` +
    `${quoteArg(`start the backends first: ${cli('snabbnfv start')} (or all start)`)} ${ports}`;
  if (plan.component === 'vm' && config.vm.engine === 'libvirt')
    return aroundLibvirtVm(config, plan.action, sockets, needBackends);
  switch (`${plan.component} ${plan.action}`) {
    case 'snabbnfv start':
      return { before: [`forget_stale ${ports}`], after: [] };
    case 'snabbnfv stop':
      return { before: [], after: [`forget_stale ${ports}`] };
    case 'vm start':
      return { before: [needBackends, `clean_after ${qemu} ${sockets}`], after: [] };
    case 'vm stop':
      return {
        before: [`if ! is_ours ${qemu}; then clean_after ${qemu} ${sockets}; say 'vm: already stopped'; return 0; fi`],
        after: [`clean_after ${qemu} ${sockets}`],
      };
    case 'lwaftr start':
      return {
        before: [
          `need_running 'the guest lwAFTR cannot start' ` +
            `${quoteArg(`start it first: ${cli('vm start')} (or all start)`)} ${qemu}`,
          `guest_gone ${guestPid} || fail 1 "the guest lwAFTR is running already ($status): this script starts ` +
            `from nothing" "stop it first: $stop_command"`,
        ],
        after: [],
      };
    default:
      return {
        before: [
          `if ! is_ours ${qemu}; then say 'lwaftr: already stopped (the VM is not running)'; return 0; fi`,
          `if guest_gone ${guestPid}; then say 'lwaftr: already stopped'; return 0; fi`,
        ],
        // A vm restart starts again the lwAFTR it stopped (a mark beside the lock: this runs in a subshell).
        after: [': >"$lock.stopped-lwaftr"'],
      };
  }
}

type Around = { before: string[]; after: string[] };

/** vm under libvirt: a domain of this NAME that another defined is refused at start, left alone at stop. */
function aroundLibvirtVm(config: Config, action: string, sockets: string, needBackends: string): Around {
  const name = config.name;
  const whose = `domain_of ${quoteArg(name)} ${quoteArg(config.stateDir)}`;
  if (action === 'start')
    return {
      before: [
        needBackends,
        whose,
        `[ "$dstate" != foreign ] || fail 1 "libvirt already has a domain named ${name} and $why" ` +
          quoteArg(`give this instance another NAME, or find out whose it is: virsh dumpxml ${name}`),
        `clean_sockets ${sockets}`,
      ],
      after: [],
    };
  return {
    before: [
      whose,
      `if [ "$dstate" = foreign ]; then warn "libvirt domain ${name} left alone: $why"; fi`,
      `if [ "$dstate" != ours ]; then clean_sockets ${sockets}; say 'vm: already stopped'; return 0; fi`,
    ],
    after: [`clean_sockets ${sockets}`],
  };
}
