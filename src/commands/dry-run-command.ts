// --dry-run: print the plan a real run would carry out, touching nothing.
import { formatProblem } from '../errors.js';
import { type Action, actionPlan, type Component } from '../plan/action-plan.js';
import { renderPlans, renderStep } from '../plan/render-plan.js';
import { type GlobalOptions, hostWarningLines, loadForCommand } from './global-options.js';

export function dryRunCommand(component: Component, action: Action, opts: GlobalOptions): number {
  const loaded = loadForCommand(opts);
  const { config } = loaded;
  const plans = actionPlan(config, component, action, { force: opts.force });
  if (opts.json) {
    const out = {
      instance: config.name,
      config: config.file,
      component,
      action,
      warnings: [...config.warnings, ...loaded.hostWarnings.map(formatProblem)],
      plans: plans.map((p) => ({ ...p, steps: p.steps.map((s) => ({ ...s, shell: renderStep(s) })) })),
    };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return 0;
  }
  const lines = [
    `# lwaftrctl ${component} ${action}: instance ${config.name}, config ${config.file}`,
    '# dry run: nothing is run; steps are shown as if nothing of this instance were running',
    ...hostWarningLines(loaded),
    ...renderPlans(plans),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
