// What happens during a run, as data. Components and the executor emit these and nothing else;
// the terminal text, the tool's log file and (with --events) NDJSON are renderings of them.
import type { PortIndex } from '../config/types.js';
import type { ConfigProblem } from '../errors.js';
import type { SingleComponent } from '../plan/component-names.js';
import type { StepKind } from '../plan/steps.js';

export type { SingleComponent } from '../plan/component-names.js';

export type ComponentPhase =
  | 'starting'
  | 'started'
  | 'already-running'
  /** Found up but not finished (a start interrupted after launch): finishing it. */
  | 'resuming'
  | 'stopping'
  | 'stopped'
  | 'already-stopped'
  | 'failed';

/** What a component reports about itself, each fact optional. */
export interface ComponentFacts {
  port?: PortIndex;
  pid?: number;
  core?: string;
  screen?: string;
  /** host:port of the guest's SSH. */
  ssh?: string;
  log?: string;
  /** How long the phase took, in seconds. */
  seconds?: number;
  reason?: string;
}

export interface ComponentResult {
  component: SingleComponent;
  action: 'start' | 'stop';
  result: 'started' | 'already-running' | 'stopped' | 'already-stopped' | 'failed';
  seconds: number;
}

export type LifecycleEvent =
  | { type: 'run-begin'; instance: string; config: string; component: string; action: string }
  | { type: 'run-end'; ok: boolean; exitCode: number; durationMs: number; results: ComponentResult[]; error?: string }
  | { type: 'component'; component: SingleComponent; phase: ComponentPhase; facts: ComponentFacts }
  | { type: 'step-begin'; component: SingleComponent; step: StepKind; shell: string[] }
  | {
      type: 'step-end';
      component: SingleComponent;
      step: StepKind;
      detail: Record<string, unknown>;
      durationMs: number;
      ok: boolean;
      error?: string;
    }
  /** `announce`: unusual enough to say at once, not only after 5 s (waiting for another lwaftrctl). */
  | { type: 'wait-progress'; what: string; elapsedMs: number; status?: string; announce?: boolean }
  | { type: 'wait-end'; what: string; elapsedMs: number; ok: boolean }
  /** A stop stage did not take effect in time: the next, harder one follows. */
  | { type: 'escalation'; what: string; after: StepKind }
  | { type: 'warning'; component?: SingleComponent; message: string }
  | ({ type: 'problem'; severity: 'error' | 'warning' } & ConfigProblem)
  /** A failed `all start` stops what it had started. */
  | { type: 'rollback'; components: SingleComponent[]; reason: string };

export type Timestamped<E extends LifecycleEvent = LifecycleEvent> = E & { ts: string };

export interface EventSink {
  emit(event: LifecycleEvent): void;
}

/** Timestamps each event once and hands it to every renderer. */
export function eventFanOut(renderers: ((event: Timestamped) => void)[]): EventSink {
  return {
    emit(event) {
      const stamped = { ...event, ts: new Date().toISOString() };
      for (const render of renderers) render(stamped);
    },
  };
}

export const SILENT: EventSink = { emit: () => undefined };
