// Runs a component plan's steps in order; the first failure ends it.
import type { ComponentPlan } from '../plan/steps.js';
import { executeStep } from './execute-step.js';
import type { RunContext } from './run-context.js';

export async function runPlan(plan: ComponentPlan, ctx: RunContext): Promise<void> {
  for (const step of plan.steps) await executeStep(step, plan.component, ctx);
}
