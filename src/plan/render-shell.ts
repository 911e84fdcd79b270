// Each step as one shell line for people: the `shell` of step events and of the dry run's JSON
// plan. What one line cannot express (waits, the checks lwaftrctl makes) is a `#` comment; the
// dry run that runs is render-script.ts.

import type { SshTarget } from '../io/guest-ssh.js';
import type { ProcessRef } from '../io/process-identity.js';
import { quoteArg, quoteArgv, quoteRemoteArgv } from '../shell/quote.js';
import { sshOptionArgv } from '../shell/ssh-options.js';
import { formatCoreList } from '../util/core-list.js';
import type { Step, WaitFor } from './steps.js';

export function renderStep(step: Step): string[] {
  const note = step.note ? [`# ${step.note}`] : [];
  return [...note, ...renderStepBody(step)];
}

/** The step's lines without its note; the runnable script shares those of the steps that need no helper. */
export function renderStepBody(step: Step): string[] {
  switch (step.kind) {
    case 'mkdir':
      return [`mkdir -p ${quoteArg(step.path)}`];
    case 'write-file':
      return [renderWriteFile(step.path, step.content)];
    case 'run':
      // A deadline shows as coreutils' timeout, which also exits 124.
      return [inDir(step.cwd, `${step.timeoutMs ? `timeout ${seconds(step.timeoutMs)} ` : ''}${quoteArgv(step.argv)}`)];
    case 'spawn':
      return [inDir(step.cwd, `setsid ${quoteArgv(step.argv)} > ${quoteArg(step.log)} 2>&1 < /dev/null &`)];
    case 'wait':
      return [`# wait up to ${seconds(step.timeoutMs)} for ${describeWait(step.for)}`];
    case 'escalate':
      return step.stages.flatMap((stage, i) => [
        ...renderStep(stage.step),
        `# ${i === 0 ? '' : 'still there: '}wait up to ${seconds(stage.timeoutMs)} for ` +
          `${describeWait(step.until)}${i < step.stages.length - 1 ? '; done if so' : ''}`,
      ]);
    case 'qmp':
      return [renderQmp(step.socket, step.execute, step.arguments)];
    case 'pin-vcpus': {
      const sets = new Set(step.pins.map((p) => formatCoreList(p.cores)));
      if (sets.size === 1)
        return [
          '# for each vCPU thread id that QMP query-cpus-fast reports (thread-id):',
          `#   taskset -pc ${[...sets][0]} THREAD_ID`,
        ];
      return [
        '# for each vCPU, the thread id that QMP query-cpus-fast reports for its cpu-index:',
        ...step.pins.map((p) => `#   vCPU ${p.vcpu}: taskset -pc ${formatCoreList(p.cores)} THREAD_ID`),
      ];
    }
    case 'signal':
      return step.processes.map(
        (p) =>
          `kill -${step.signal} "$(cat ${quoteArg(p.pidFile)})"  # only if its start time and command line still ` +
          `match (${describeProcess(p)})`,
      );
    case 'screen-quit':
      return [
        `screen -S "$(screen -ls | grep -o '[0-9]*\\.${step.session}\\b')" -X quit  # only if the session is still ` +
          `there`,
      ];
    case 'remote':
      return [renderSsh(step.ssh, step.argv)];
    case 'rotate-log':
      return [`[ ! -e ${quoteArg(step.path)} ] || mv -f ${quoteArg(step.path)} ${quoteArg(`${step.path}.1`)}`];
  }
}

export function renderSsh(ssh: SshTarget, argv: string[]): string {
  const opts = sshOptionArgv(ssh);
  // Quoted twice: once for the guest's shell (the command), once for the local shell here.
  return `ssh ${quoteArgv(opts)} ${quoteArg(`${ssh.user}@${ssh.host}`)} ${quoteArg(quoteRemoteArgv(argv))}`;
}

/** One line whatever the content: each line of it becomes an argument of printf. */
function renderWriteFile(file: string, content: string): string {
  const lines = content.endsWith('\n') ? content.slice(0, -1).split('\n') : content.split('\n');
  const format = content.endsWith('\n') || lines.length > 1 ? "'%s\\n'" : '%s';
  return `printf ${format} ${lines.map(quoteArg).join(' ')} > ${quoteArg(file)}`;
}

function renderQmp(socket: string, execute: string, args?: Record<string, unknown>): string {
  const command = JSON.stringify(args ? { execute, arguments: args } : { execute });
  return (
    `printf '%s\\n' ${quoteArg('{"execute":"qmp_capabilities"}')} ${quoteArg(command)} | socat - ` +
    `UNIX-CONNECT:${quoteArg(socket)}`
  );
}

function describeWait(w: WaitFor): string {
  switch (w.kind) {
    case 'log-line':
      return `${describeProcess(w.process)} alive and "${w.text}" in ${w.file}`;
    case 'qmp-ready':
      return `QMP greeting on ${w.socket} (QEMU alive)`;
    case 'chardevs-connected':
      return `vhost-user backends connected on ${w.chardevs.join(', ')} (QMP query-chardev)`;
    case 'backend-connected':
      return (
        `${describeProcess(w.process)} alive, "${w.text}" in ${w.log}, and QEMU's ${w.chardev} connected (QMP ` +
        `query-chardev)`
      );
    case 'qmp-status':
      return `QMP query-status "${w.status}"`;
    case 'ssh-banner':
      return `the guest's SSH banner on ${w.host}:${w.port} (console: ${w.consoleLog})`;
    case 'processes-gone':
      return `${w.processes.map(describeProcess).join(' and ')} to exit`;
    case 'guest-process-started': {
      const ready = w.ready ? `, then ${w.ready}` : '';
      return `the guest process in ${w.pidFile} alive and a first line in ${w.log}${ready}`;
    }
    case 'guest-process-gone':
      return `the guest process in ${w.pidFile} to exit`;
    case 'domain-state':
      return `\`virsh domstate ${w.domain}\` to say "${w.state}"`;
    case 'domain-chardevs-connected':
      return (
        `vhost-user backends connected on ${w.chardevs.join(', ')} ` +
        `(virsh qemu-monitor-command ${w.domain} '{"execute":"query-chardev"}')`
      );
    case 'domain-pinned':
      return `each vCPU thread (query-cpus-fast through virsh) and every other thread of the QEMU in ${w.pidFile} on ${
        w.vcpus.map((p) => `vCPU ${p.vcpu}: ${formatCoreList(p.cores)}`).join(', ') || 'any cores'
      }; others: ${w.emulator ? formatCoreList(w.emulator) : 'any'} (as virsh vcpupin and emulatorpin say)`;
  }
}

function describeProcess(p: ProcessRef): string {
  return `${p.label} (pid file ${p.pidFile})`;
}

function inDir(cwd: string | undefined, line: string): string {
  return cwd ? `cd ${quoteArg(cwd)} && ${line}` : line;
}

function seconds(ms: number): string {
  return `${ms / 1000}s`;
}
