// Runs a component plan's steps in order.

import { executeStep } from '../exec/execute-step.js';
import type { RunContext } from '../exec/run-context.js';
import type { ComponentPlan } from '../plan/steps.js';

export async function runPlan(plan: ComponentPlan, ctx: RunContext): Promise<void> {
  ctx.log.info({ component: plan.component, action: plan.action }, 'plan begins');
  for (const step of plan.steps) await executeStep(step, ctx);
}

export type StartResult = 'started' | 'already-running';
export type StopResult = 'stopped' | 'already-stopped';

export interface Component {
  start(ctx: RunContext): Promise<StartResult>;
  stop(ctx: RunContext, opts: { force?: boolean }): Promise<StopResult>;
}
