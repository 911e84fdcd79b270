// --dry-run: print the plan a real run would carry out, touching nothing.
import { actionPlan, actionSequence } from '../components/sequence.js';
import type { Config } from '../config/types.js';
import { type Preflight, preflight } from '../doctor/preflight.js';
import { type ConfigProblem, formatProblem } from '../errors.js';
import type { Action, Component } from '../plan/component-names.js';
import { renderPlans, renderStep } from '../plan/render-shell.js';
import type { CommandContext } from './command-context.js';
import { type GlobalOptions, humanStream, loadForCommand, printConfigWarnings } from './global-options.js';
import { problemOf } from './report.js';

export async function dryRunCommand(component: Component, action: Action, cx: CommandContext): Promise<number> {
  const { options: opts, report } = cx;
  report.expect('dry-run', { component, action, plans: [], refusals: [] });
  const config = loadForCommand(opts);
  report.forConfig(config);
  printConfigWarnings(config, opts);
  const starting = actionSequence(component, action).flatMap((s) => (s.action === 'start' ? [s.component] : []));
  const checks = await preflight(config, starting);
  for (const w of checks.warnings) report.warn(w);
  const plans = actionPlan(config, component, action, { force: opts.force });
  report.set({
    // What the host would make a real run refuse: not problems of this dry run, which works anywhere.
    refusals: checks.failures.map((p) => problemOf(p, 'error')),
    plans: plans.map((p) => ({ ...p, steps: p.steps.map((s) => ({ ...s, shell: renderStep(s) })) })),
  });
  if (!opts.json) humanStream(opts).write(`${dryRunText(config, checks, component, action, opts).join('\n')}\n`);
  return 0;
}

/** The dry run for people: a header, what a real run would refuse or warn of, then every step. */
export function dryRunText(
  config: Config,
  checks: Preflight,
  component: Component,
  action: Action,
  opts: GlobalOptions,
): string[] {
  const comment = (prefix: string) => (p: ConfigProblem) => `# ${prefix}${formatProblem(p).replace(/\n/g, '\n# ')}`;
  return [
    `# lwaftrctl ${component} ${action}: instance ${config.name}, config ${config.file}`,
    '# dry run: nothing is run; steps are shown as if nothing of this instance were running',
    ...checks.failures.map(comment('warning: a real run would refuse this: ')),
    ...checks.warnings.map(comment('warning: ')),
    ...renderPlans(actionPlan(config, component, action, { force: opts.force })),
  ];
}
