// --dry-run: print the plan a real run would carry out, as a shell script that does it; run nothing.
import { actionPlan, actionSequence } from '../components/sequence.js';
import { describeForeign, foreignSessions } from '../components/snabbnfv/sessions.js';
import type { Config } from '../config/types.js';
import { type Preflight, preflight } from '../doctor/preflight.js';
import type { Action, Component } from '../plan/component-names.js';
import { renderScript } from '../plan/render-script.js';
import { renderStep } from '../plan/render-shell.js';
import type { CommandContext } from './command-context.js';
import { type GlobalOptions, humanStream, loadForCommand, printConfigWarnings } from './global-options.js';
import { problemOf } from './report.js';

export async function dryRunCommand(component: Component, action: Action, cx: CommandContext): Promise<number> {
  const { options: opts, report } = cx;
  report.expect('dry-run', { component, action, plans: [], refusals: [], script: null });
  const config = loadForCommand(opts);
  report.forConfig(config);
  printConfigWarnings(config, opts);
  const starting = actionSequence(component, action).flatMap((s) => (s.action === 'start' ? [s.component] : []));
  const checks = await preflight(config, starting);
  // Sessions with this instance's names that lwaftrctl did not start: a real run refuses to act beside them.
  if (actionSequence(component, action).some((s) => s.component === 'snabbnfv')) {
    const foreign = foreignSessions(config);
    if (foreign.length) {
      const { reason, fix } = describeForeign(foreign);
      checks.failures.push({ file: config.file, message: reason, fix });
    }
  }
  for (const w of checks.warnings) report.warn(w);
  const plans = actionPlan(config, component, action, { force: opts.force });
  const script = `${dryRunText(config, checks, component, action, opts).join('\n')}\n`;
  report.set({
    // What the host would make a real run refuse: not problems of this dry run, which works anywhere.
    refusals: checks.failures.map((p) => problemOf(p, 'error')),
    plans: plans.map((p) => ({ ...p, steps: p.steps.map((s) => ({ ...s, shell: renderStep(s) })) })),
    script,
  });
  if (!opts.json) humanStream(opts).write(script);
  return 0;
}

/** The dry run for people and for sh: the script, what a real run would refuse or warn of in its header. */
export function dryRunText(
  config: Config,
  checks: Preflight,
  component: Component,
  action: Action,
  opts: GlobalOptions,
): string[] {
  return renderScript(config, {
    component,
    action,
    force: opts.force,
    refusals: checks.failures,
    warnings: checks.warnings,
  });
}
