// Component × action → the ordered component plans to carry out.
import type { Config } from '../config/types.js';
import { type Action, type Component, type SingleComponent, START_ORDER } from '../plan/component-names.js';
import type { ComponentPlan } from '../plan/steps.js';
import { lwaftrStartPlan, lwaftrStopPlan } from './lwaftr/plan.js';
import { snabbnfvStartPlan, snabbnfvStopPlan } from './snabbnfv/plan.js';
import { vmStartPlan, vmStopPlan } from './vm/plan.js';

export interface PlanOptions {
  force?: boolean;
  /** snabbnfv start: the VM start follows at once (see snabbnfvStartPlan). */
  vmStartsNext?: boolean;
}

export function componentPlan(
  config: Config,
  component: SingleComponent,
  action: 'start' | 'stop',
  opts: PlanOptions = {},
): ComponentPlan {
  switch (component) {
    case 'snabbnfv':
      return action === 'start'
        ? snabbnfvStartPlan(config, { vmStartsNext: opts.vmStartsNext })
        : snabbnfvStopPlan(config);
    case 'vm':
      return action === 'start' ? vmStartPlan(config) : vmStopPlan(config, opts.force);
    case 'lwaftr':
      return action === 'start' ? lwaftrStartPlan(config) : lwaftrStopPlan(config);
  }
}

/**
 * One component's part of an action. `ifStopped`: done only when this run's stop of the same
 * component stopped it (it was running), as vm restart starts again the guest lwAFTR it stopped.
 */
export interface SequenceStep {
  component: SingleComponent;
  action: 'start' | 'stop';
  ifStopped?: true;
}

/** The components an action touches, in the order it touches them. */
export function actionSequence(component: Component, action: Action): SequenceStep[] {
  const targets = component === 'all' ? START_ORDER : [component];
  const stops: SequenceStep[] = [...targets].reverse().map((c) => ({ component: c, action: 'stop' }));
  const starts: SequenceStep[] = targets.map((c) => ({ component: c, action: 'start' }));
  // Stopping the VM stops the guest lwAFTR first, so its NICs are reset before the guest goes.
  if (component === 'vm') stops.unshift({ component: 'lwaftr', action: 'stop' });
  if (action === 'start') return starts;
  if (action === 'stop') return stops;
  if (component === 'vm') starts.push({ component: 'lwaftr', action: 'start', ifStopped: true });
  return [...stops, ...starts];
}

export function actionPlan(
  config: Config,
  component: Component,
  action: Action,
  opts: PlanOptions = {},
): ComponentPlan[] {
  const sequence = actionSequence(component, action);
  return sequence.map((s, i) => ({
    ...componentPlan(config, s.component, s.action, { ...opts, vmStartsNext: vmStartsAfter(s, sequence[i + 1]) }),
    ...(s.ifStopped ? { ifStopped: true as const } : {}),
  }));
}

/** Whether `step` is a start that the VM's start follows at once. */
export function vmStartsAfter(step: SequenceStep, next: SequenceStep | undefined): boolean {
  return step.action === 'start' && next?.component === 'vm' && next.action === 'start';
}
