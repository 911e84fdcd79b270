// What each component's controller does: start and stop, idempotent, reporting as events.
import type { ComponentFacts, ComponentPhase, SingleComponent } from '../run/events.js';
import type { RunContext } from '../run/run-context.js';

export type StartResult = 'started' | 'already-running';
export type StopResult = 'stopped' | 'already-stopped';

/** `vmStartsNext`: the VM is started right after, in the same run (all start, all restart). */
export interface StartOptions {
  vmStartsNext?: boolean;
}

export interface Controller {
  start(ctx: RunContext, opts?: StartOptions): Promise<StartResult>;
  stop(ctx: RunContext, opts: { force?: boolean }): Promise<StopResult>;
}

export function report(
  ctx: RunContext,
  component: SingleComponent,
  phase: ComponentPhase,
  facts: ComponentFacts = {},
): void {
  ctx.events.emit({ type: 'component', component, phase, facts });
}

export function warn(ctx: RunContext, component: SingleComponent, message: string): void {
  ctx.events.emit({ type: 'warning', component, message });
}

export function secondsSince(began: number): number {
  return Math.round((Date.now() - began) / 100) / 10;
}
