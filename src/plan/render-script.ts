// The dry run as a POSIX sh script that does what the real run does: the helpers once at the top,
// the instance's processes and guest, one shell function per component plan (one line per step,
// each step's note a comment), and the sequence at the bottom.
import { actionPlan, actionSequence } from '../components/sequence.js';
import { snabbnfvProcess, snabbProgram } from '../components/snabbnfv/plan.js';
import { qemuProcess } from '../components/vm/plan.js';
import { resolveVmSpec } from '../components/vm/spec.js';
import type { Config } from '../config/types.js';
import { type ConfigProblem, formatProblem } from '../errors.js';
import { quoteArg, quoteArgv } from '../shell/quote.js';
import type { Action, Component, SingleComponent } from './component-names.js';
import { instancePaths } from './instance-paths.js';
import { aroundPlan, instanceSection, scriptNames } from './script-instance.js';
import { SCRIPT_LIB_CORE } from './script-lib-core.js';
import { SCRIPT_LIB_PROCESSES } from './script-lib-processes.js';
import { SCRIPT_LIB_TALK } from './script-lib-talk.js';
import { GUEST_SCRIPTS, scriptStep } from './script-steps.js';
import type { ComponentPlan } from './steps.js';

export interface ScriptRequest {
  component: Component;
  action: Action;
  force?: boolean;
  /** What the doctor says a real run on this host would refuse, and would warn of. */
  refusals: ConfigProblem[];
  warnings: ConfigProblem[];
}

export function renderScript(config: Config, req: ScriptRequest): string[] {
  const plans = actionPlan(config, req.component, req.action, { force: req.force });
  const names = scriptNames(config, plans);
  return [
    ...header(config, req),
    'set -eu',
    '',
    '# ---- Helpers: the same in every script lwaftrctl prints ----',
    ...[SCRIPT_LIB_CORE, SCRIPT_LIB_PROCESSES, SCRIPT_LIB_TALK].flatMap((lib) => lib.trim().split('\n')),
    '# What lwaftrctl runs in the guest: constant scripts, each value a positional parameter.',
    ...GUEST_SCRIPTS.map(([name, script]) => `${name}=${quoteArg(quoteArgv(['sh', '-c', script]))}`),
    '',
    ...instanceSection(config, names),
    ...plans.flatMap((plan) => {
      const around = aroundPlan(config, plan, names);
      const steps = plan.steps.flatMap((s) => scriptStep(s, names));
      return [
        `# ---- ${plan.component} ${plan.action} ----`,
        `${plan.component}_${plan.action}() {`,
        ...[...around.before, ...steps, ...around.after].map((l) => `  ${l}`),
        `  say '${plan.component}: ${plan.action === 'start' ? 'started' : 'stopped'}'`,
        '}',
        '',
      ];
    }),
    ...sequence(config, req, plans, names),
  ];
}

/** "vm stop", "--force vm stop": what the script does, as the command line said it. */
function what(req: ScriptRequest): string {
  return `${req.force ? '--force ' : ''}${req.component} ${req.action}`;
}

function header(config: Config, req: ScriptRequest): string[] {
  const comment = (prefix: string) => (p: ConfigProblem) =>
    `${prefix}${formatProblem(p)}`.split('\n').map((l) => `# ${l}`);
  return [
    '#!/bin/sh',
    `# lwaftrctl ${what(req)}: instance ${config.name}, config ${config.file}`,
    '# Printed by lwaftrctl --dry-run: the steps of a real run, in its order, with its waits and deadlines,',
    '# and the checks it makes before it signals anything. Run it with: sh FILE (sh -x FILE shows each step).',
    `# It needs root (as lwaftrctl does) and these programs: ${programs(config, req).join(' ')}`,
    ...(starts(req).length
      ? [`# It starts from nothing: it stops at once if what it would start (${starts(req).join(', ')}) runs already.`]
      : []),
    ...req.refusals.flatMap(comment('warning: a real run would refuse this: ')),
    ...req.warnings.flatMap(comment('warning: ')),
  ];
}

/** The components started without being stopped first: they must not run already. */
function starts(req: ScriptRequest): SingleComponent[] {
  const sequence = actionSequence(req.component, req.action);
  const stopped = new Set(sequence.filter((s) => s.action === 'stop').map((s) => s.component));
  return sequence.filter((s) => s.action === 'start' && !stopped.has(s.component)).map((s) => s.component);
}

/** The programs the script runs: the helpers', then each component's. */
function programs(config: Config, req: ScriptRequest): string[] {
  const needed = new Set(['sh', 'sed', 'grep', 'cat', 'cut', 'tr', 'tail', 'sleep', 'ln', 'mkdir', 'mv', 'rm']);
  const numa = config.numaNode === undefined ? [] : ['numactl'];
  const spec = resolveVmSpec(config);
  const pinned = spec.pinning.vcpus.length > 0 || spec.pinning.emulator !== undefined;
  for (const s of actionSequence(req.component, req.action)) {
    const add = (...p: string[]) => {
      for (const x of p) needed.add(x);
    };
    if (s.component === 'snabbnfv')
      s.action === 'start' ? add('screen', ...numa, 'taskset', snabbProgram(config)) : add('screen');
    if (s.component === 'vm' && config.vm.engine === 'libvirt') add('virsh', 'timeout');
    else if (s.component === 'vm')
      s.action === 'start'
        ? add('setsid', ...numa, ...(pinned ? ['taskset'] : []), spec.program, 'socat')
        : add('socat');
    if (s.component === 'lwaftr') add('ssh');
  }
  return [...needed];
}

function sequence(
  config: Config,
  req: ScriptRequest,
  plans: ComponentPlan[],
  names: ReturnType<typeof scriptNames>,
): string[] {
  const paths = instancePaths(config);
  const cli = `lwaftrctl -f ${quoteArg(config.file)}`;
  const starting = starts(req);
  const refuse = starting
    .flatMap((c) =>
      c === 'snabbnfv'
        ? config.snabbnfv.ports.map((p) => snabbnfvProcess(config, p))
        : c === 'vm'
          ? [qemuProcess(config)]
          : [],
    )
    .map(names.process);
  const failed = starting.length
    ? `to take down what this script started, if anything: ${cli} all stop`
    : `some of it may still run: ${cli} status tells`;
  return [
    `# ---- Run: ${what(req)} ----`,
    `need ${quoteArgv(programs(config, req).filter((p) => p !== 'sh'))}`,
    `stop_command=${quoteArg(`${cli} all stop`)}`,
    `mkdir -p ${quoteArg(paths.stateDir)}`,
    `take_lock ${quoteArg(paths.lock)}`,
    ...(refuse.length ? [`refuse_running ${refuse.join(' ')}`] : []),
    `failed_hint=${quoteArg(failed)}`,
    ...plans.map((plan, i) => {
      const call = `${plan.component}_${plan.action}`;
      if (plan.ifStopped) return `if [ -e "$lock.stopped-${plan.component}" ]; then ${call}; fi`;
      // Stopping the VM ends the guest and all in it: an unreachable guest must not block that.
      const vmStopsNext = call === 'lwaftr_stop' && plans[i + 1]?.component === 'vm';
      return vmStopsNext ? `tolerate 'lwaftr: could not stop it in the guest; the VM stop ends it' ${call}` : call;
    }),
    `say '${what(req)}: done'`,
  ];
}
