// start / stop / restart of one component or all: under the instance lock, in order, and an
// `all` start that fails half-way stops what this run started.
import type { Controller, StartResult, StopResult } from '../components/controller.js';
import { lwaftr } from '../components/lwaftr/controller.js';
import { actionSequence, type SequenceStep, vmStartsAfter } from '../components/sequence.js';
import { snabbnfv } from '../components/snabbnfv/controller.js';
import { snabbnfvProcess } from '../components/snabbnfv/plan.js';
import { vm } from '../components/vm/controller.js';
import { qemuProcess } from '../components/vm/plan.js';
import type { Config } from '../config/types.js';
import { preflight } from '../doctor/preflight.js';
import { ConfigError, exitCodeFor, InterruptedError } from '../errors.js';
import { acquireLock, type HeldLock } from '../io/instance-lock.js';
import { recordInstance } from '../io/instance-registry.js';
import { identify } from '../io/process-identity.js';
import type { Action, Component, SingleComponent } from '../plan/component-names.js';
import { instancePaths } from '../plan/instance-paths.js';
import type { ComponentResult } from '../run/events.js';
import { createRunContext, type RunContext } from '../run/run-context.js';
import type { CommandContext } from './command-context.js';
import { type GlobalOptions, loadForCommand } from './global-options.js';
import { interruption } from './interruption.js';
import type { Report } from './report.js';
import { runEvents } from './run-events.js';

const CONTROLLERS: Record<SingleComponent, Controller> = { snabbnfv, vm, lwaftr };

export async function actionCommand(component: Component, action: Action, cx: CommandContext): Promise<number> {
  const { options: opts, report } = cx;
  const results: ComponentResult[] = [];
  report.expect(action, { component, action, results });
  const config = loadForCommand(opts);
  report.forConfig(config);
  const events = runEvents(config, cx);
  report.logFile = instancePaths(config).toolLog;
  const stop = interruption(`${component} ${action}`);
  const ctx = createRunContext(config, events, stop.signal);
  const began = Date.now();
  const end = (exitCode: number, error?: string) =>
    events.emit({ type: 'run-end', ok: exitCode === 0, exitCode, durationMs: Date.now() - began, results, error });
  events.emit({ type: 'run-begin', instance: config.name, config: config.file, component, action });
  let lock: HeldLock | undefined;
  try {
    lock = await acquireLock(ctx.paths.lock, {
      timeoutMs: config.timeouts.lockMs,
      instance: config.name,
      signal: stop.signal,
      onWaiting: (what, elapsedMs) => events.emit({ type: 'wait-progress', what, elapsedMs, announce: true }),
    });
    events.emit({ type: 'wait-end', what: 'the instance lock', elapsedMs: 0, ok: true });
    await checkBeforeStarting(ctx, component, action, report);
    // For lwaftrctl list: this instance's config file, recorded in its state folder.
    const unrecorded = recordInstance(config);
    if (unrecorded) events.emit({ type: 'warning', message: unrecorded });
    await runSequence(ctx, component, action, opts, results);
    end(0);
    return 0;
  } catch (err) {
    // run-end is the last event of the run, and its time counts the rollback.
    await rollBack(ctx, `${component} ${action}`, component, results, err);
    end(exitCodeFor(err), (err as Error).message);
    throw err;
  } finally {
    lock?.release();
    ctx.close();
    stop.release();
  }
}

async function runSequence(
  ctx: RunContext,
  component: Component,
  action: Action,
  opts: GlobalOptions,
  results: ComponentResult[],
): Promise<void> {
  const sequence = actionSequence(component, action);
  for (const [i, step] of sequence.entries()) {
    const stopped = results.some((r) => r.component === step.component && r.result === 'stopped');
    if (step.ifStopped && !stopped) continue;
    results.push(await runStep(ctx, step, sequence[i + 1], opts));
  }
}

async function runStep(
  ctx: RunContext,
  step: SequenceStep,
  next: SequenceStep | undefined,
  opts: GlobalOptions,
): Promise<ComponentResult> {
  const began = Date.now();
  const controller = CONTROLLERS[step.component];
  let result: StartResult | StopResult | 'failed';
  try {
    result =
      step.action === 'start'
        ? await controller.start(ctx, { vmStartsNext: vmStartsAfter(step, next) })
        : await controller.stop(ctx, { force: opts.force });
  } catch (err) {
    // Stopping the VM ends the guest and all in it: an unreachable guest must not block that.
    const vmStopsNext = step.component === 'lwaftr' && step.action === 'stop' && next?.component === 'vm';
    if (!vmStopsNext || err instanceof InterruptedError) throw err;
    const message = `could not stop it in the guest (${(err as Error).message}); the VM stop ends it`;
    ctx.events.emit({ type: 'warning', component: 'lwaftr', message });
    result = 'failed';
  }
  return stepResult(step, result, (Date.now() - began) / 1000);
}

/** A step's entry in the results: only the keys of schemas/action.schema.json (not the step's ifStopped). */
export function stepResult(step: SequenceStep, result: ComponentResult['result'], seconds: number): ComponentResult {
  return { component: step.component, action: step.action, result, seconds };
}

/**
 * The doctor's checks of what this run will start: a failure refuses the run before anything is
 * touched; a warning is an event and a problem of the --json document, as in the dry run.
 */
async function checkBeforeStarting(ctx: RunContext, component: Component, action: Action, report: Report) {
  const sequence = actionSequence(component, action);
  const stoppedFirst = new Set(sequence.filter((s) => s.action === 'stop').map((s) => s.component));
  const starting = sequence
    .filter((s) => s.action === 'start' && (stoppedFirst.has(s.component) || !isRunning(ctx.config, s.component)))
    .map((s) => s.component);
  const { failures, warnings } = await preflight(ctx.config, starting);
  for (const w of warnings) {
    ctx.events.emit({ type: 'problem', severity: 'warning', ...w });
    report.warn(w);
  }
  if (failures.length) throw new ConfigError(failures, 'the host is not ready (lwaftrctl doctor tells more)');
}

/** Proven up on the host; the guest lwAFTR is asked over SSH by its own start, so counts as not. */
function isRunning(config: Config, component: SingleComponent): boolean {
  if (component === 'vm') return identify(qemuProcess(config)).state === 'running';
  if (component === 'snabbnfv')
    return config.snabbnfv.ports.every((p) => identify(snabbnfvProcess(config, p)).state === 'running');
  return false;
}

/** A failed `all` start stops, in reverse, what this run started. */
async function rollBack(
  ctx: RunContext,
  what: string,
  component: Component,
  results: ComponentResult[],
  err: unknown,
): Promise<void> {
  const started = results.filter((r) => r.result === 'started').map((r) => r.component);
  if (component !== 'all' || started.length === 0 || err instanceof InterruptedError) return;
  ctx.events.emit({ type: 'rollback', components: started, reason: `${what} failed` });
  for (const c of [...started].reverse())
    await CONTROLLERS[c].stop(ctx, {}).catch((e: Error) => {
      ctx.events.emit({ type: 'warning', component: c, message: `could not stop it: ${e.message}` });
    });
}
