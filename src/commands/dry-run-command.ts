// --dry-run: print the plan a real run would carry out, touching nothing.
import { actionPlan } from '../components/sequence.js';
import type { Loaded } from '../config/load-config.js';
import { formatProblem } from '../errors.js';
import type { Action, Component } from '../plan/component-names.js';
import { renderPlans, renderStep } from '../plan/render-shell.js';
import { type GlobalOptions, hostWarningLines, loadForCommand, printConfigWarnings } from './global-options.js';

export function dryRunCommand(component: Component, action: Action, opts: GlobalOptions): number {
  const loaded = loadForCommand(opts);
  printConfigWarnings(loaded, opts);
  const { config } = loaded;
  const plans = actionPlan(config, component, action, { force: opts.force });
  if (opts.json) {
    const out = {
      instance: config.name,
      config: config.file,
      component,
      action,
      warnings: [...config.warnings, ...loaded.hostWarnings].map(formatProblem),
      plans: plans.map((p) => ({ ...p, steps: p.steps.map((s) => ({ ...s, shell: renderStep(s) })) })),
    };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return 0;
  }
  process.stdout.write(`${dryRunText(loaded, component, action, opts).join('\n')}\n`);
  return 0;
}

/** The dry run for people: a header, what a real run would refuse, then every step. */
export function dryRunText(loaded: Loaded, component: Component, action: Action, opts: GlobalOptions): string[] {
  const { config } = loaded;
  return [
    `# lwaftrctl ${component} ${action}: instance ${config.name}, config ${config.file}`,
    '# dry run: nothing is run; steps are shown as if nothing of this instance were running',
    ...hostWarningLines(loaded),
    ...renderPlans(actionPlan(config, component, action, { force: opts.force })),
  ];
}
