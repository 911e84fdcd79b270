// start / stop / restart of one component or all: under the instance lock, in order, and an
// `all` start that fails half-way stops what this run started.

import { lwaftr } from '../components/lwaftr.js';
import type { Component as Ops, StartResult, StopResult } from '../components/run-plan.js';
import { snabbnfv } from '../components/snabbnfv.js';
import { vm } from '../components/vm.js';
import { exitCodeFor, InterruptedError } from '../errors.js';
import { Reporter } from '../exec/reporter.js';
import { createRunContext } from '../exec/run-context.js';
import { type Action, actionSequence, type Component, type SingleComponent } from '../plan/action-plan.js';
import { acquireLock, type HeldLock } from '../state/instance-lock.js';
import { type GlobalOptions, loadForCommand } from './global-options.js';

const COMPONENT_OPS: Record<SingleComponent, Ops> = { snabbnfv, vm, lwaftr };

export async function actionCommand(component: Component, action: Action, opts: GlobalOptions): Promise<number> {
  const { config } = loadForCommand(opts);
  const reporter = new Reporter(opts);
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const ctx = createRunContext(config, reporter, abort.signal);
  const results: { component: SingleComponent; action: string; result: string; seconds: number }[] = [];
  const startedThisRun: SingleComponent[] = [];
  ctx.log.info({ component, action, argv: process.argv.slice(2) }, 'lwaftrctl begins');
  let lock: HeldLock | undefined;
  try {
    lock = await acquireLock(ctx.paths.lock, config.timeouts.lockMs, config.name);
    const sequence = actionSequence(component, action);
    for (const [i, step] of sequence.entries()) {
      const began = Date.now();
      const ops = COMPONENT_OPS[step.component];
      let result: StartResult | StopResult | 'failed';
      try {
        result = step.action === 'start' ? await ops.start(ctx) : await ops.stop(ctx, { force: opts.force });
      } catch (err) {
        // Stopping the VM ends the guest and all in it: an unreachable guest must not block that.
        if (
          !(step.component === 'lwaftr' && step.action === 'stop' && sequence[i + 1]?.component === 'vm') ||
          err instanceof InterruptedError
        )
          throw err;
        reporter.warn(`lwaftr: could not stop it in the guest (${(err as Error).message}); the VM stop ends it`);
        result = 'failed' as const;
      }
      if (result === 'started') startedThisRun.push(step.component);
      results.push({ component: step.component, action: step.action, result, seconds: (Date.now() - began) / 1000 });
    }
    ctx.log.info({ results }, 'lwaftrctl done');
    if (opts.json)
      process.stdout.write(
        `${JSON.stringify({ ok: true, instance: config.name, component, action, results }, null, 2)}\n`,
      );
    return 0;
  } catch (err) {
    ctx.log.error({ err: (err as Error).message }, 'lwaftrctl failed');
    if (component === 'all' && startedThisRun.length && !(err instanceof InterruptedError)) {
      reporter.warn(`${component} ${action} failed: stopping what this run started (${startedThisRun.join(', ')})`);
      for (const c of [...startedThisRun].reverse())
        await COMPONENT_OPS[c].stop(ctx, {}).catch((e: Error) => reporter.warn(`could not stop ${c}: ${e.message}`));
    }
    if (opts.json)
      process.stdout.write(
        `${JSON.stringify(
          {
            ok: false,
            instance: config.name,
            component,
            action,
            results,
            error: (err as Error).message,
            exitCode: exitCodeFor(err),
          },
          null,
          2,
        )}\n`,
      );
    throw err;
  } finally {
    lock?.release();
    ctx.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
