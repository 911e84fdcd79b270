// Carries out one plan step for real. Every signal goes only to a process proven to be ours.
import fs from 'node:fs';
import { OperationError } from '../errors.js';
import { guestFailure } from '../io/guest-process.js';
import { runLocal, spawnDetached } from '../io/local.js';
import { identify, type ProcessRef, writeRecord } from '../io/process-identity.js';
import { type QmpCpu, qmpOnce, vcpuThreadsOf } from '../io/qmp-client.js';
import { isSessionOf, listScreenSessions } from '../io/screen-sessions.js';
import { tailFile } from '../io/tail-file.js';
import { renderStep } from '../plan/render-shell.js';
import type { Step, VcpuPin } from '../plan/steps.js';
import { quoteArgv } from '../shell/quote.js';
import { formatCoreList } from '../util/core-list.js';
import { waitUntil } from '../util/wait-until.js';
import type { SingleComponent } from './events.js';
import type { RunContext } from './run-context.js';
import { runWithDeadline } from './run-deadline.js';
import { check, describe, waitFor } from './wait-checks.js';

export async function executeStep(step: Step, component: SingleComponent, ctx: RunContext): Promise<void> {
  const began = Date.now();
  // An escalation's stages show themselves as they run.
  if (step.kind !== 'escalate')
    ctx.events.emit({ type: 'step-begin', component, step: step.kind, shell: renderStep(step) });
  const end = (ok: boolean, error?: string) =>
    ctx.events.emit({
      type: 'step-end',
      component,
      step: step.kind,
      detail: summarize(step),
      durationMs: Date.now() - began,
      ok,
      error,
    });
  try {
    await executeBody(step, component, ctx);
    end(true);
  } catch (err) {
    end(false, (err as Error).message);
    throw err;
  }
}

async function executeBody(step: Step, component: SingleComponent, ctx: RunContext): Promise<void> {
  switch (step.kind) {
    case 'mkdir':
      fs.mkdirSync(step.path, { recursive: true, mode: 0o755 });
      return;
    case 'write-file':
      fs.writeFileSync(step.path, step.content);
      return;
    case 'rotate-log':
      if (fs.existsSync(step.path)) fs.renameSync(step.path, `${step.path}.1`);
      return;
    case 'run':
      if (step.timeoutMs) await runWithDeadline(step.argv, step.timeoutMs, step.cwd);
      else await runLocal(step.argv, step.cwd);
      return;
    case 'spawn': {
      const pid = spawnDetached(step.argv, step.log, step.cwd);
      fs.writeFileSync(step.process.pidFile, `${pid}\n`);
      // Until the child has exec'd, its command line is still this node's: not yet provably ours.
      await waitUntil(() => ({ ready: identify(step.process).state !== 'foreign' }), {
        what: `${step.process.label} to start`,
        timeoutMs: 5000,
        intervalMs: 5,
        signal: ctx.signal,
      });
      if (identify(step.process).state !== 'running' || !writeRecord(step.process.record, pid))
        throw new OperationError(
          `${step.process.label} exited at once: ${quoteArgv(step.argv.slice(0, 3))} …`,
          undefined,
          tailFile(step.log),
        );
      return;
    }
    case 'wait':
      await waitFor(step.for, step.timeoutMs, ctx, step.watch);
      return;
    case 'escalate':
      return escalate(step, component, ctx);
    case 'qmp':
      await qmpOnce(step.socket, step.execute, step.arguments);
      return;
    case 'pin-vcpus':
      return pinVcpus(step.socket, step.process, step.pins);
    case 'signal':
      for (const process of step.processes) signalOurs(process, step.signal, component, ctx);
      return;
    case 'screen-quit':
      return quitScreenSession(step.session, step.process, component, ctx);
    case 'remote': {
      const r = await ctx.guest().exec(step.argv);
      if (r.code !== 0) throw guestFailure(step.ssh.user, step.argv, r);
      return;
    }
  }
}

/** Each stage, then its deadline for `until`; the first stage that gets there ends it. */
async function escalate(
  step: Extract<Step, { kind: 'escalate' }>,
  component: SingleComponent,
  ctx: RunContext,
): Promise<void> {
  for (const stage of step.stages) {
    if ((await check(step.until, ctx)).ready) return;
    // A graceful stage that cannot run (QMP already closed) just hands over to the next: its
    // failure is in the step-end event.
    await executeStep(stage.step, component, ctx).catch(() => undefined);
    try {
      await waitFor(step.until, stage.timeoutMs, ctx);
      return;
    } catch (err) {
      if ((err as Error).name !== 'TimeoutError') throw err;
      ctx.events.emit({ type: 'escalation', what: describe(step.until), after: stage.step.kind });
    }
  }
  throw new OperationError(
    `could not get ${describe(step.until)}, even with the last resort`,
    'see the log in the state folder; the process may be stuck in the kernel (state D)',
  );
}

/** Each vCPU thread, as QMP names it, to its own cores. */
async function pinVcpus(socket: string, process: ProcessRef, pins: VcpuPin[]): Promise<void> {
  if (identify(process).state !== 'running')
    throw new OperationError('QEMU is not running: cannot pin its vCPU threads');
  const threads = vcpuThreadsOf(await qmpOnce<QmpCpu[]>(socket, 'query-cpus-fast'));
  for (const pin of pins) {
    const thread = threads.find((t) => t.vcpu === pin.vcpu);
    if (!thread) throw new OperationError(`QEMU reports no vCPU ${pin.vcpu} (query-cpus-fast): cannot pin it`);
    await runLocal(['taskset', '-pc', formatCoreList(pin.cores), String(thread.threadId)]);
  }
}

function signalOurs(ref: ProcessRef, signal: 'TERM' | 'KILL', component: SingleComponent, ctx: RunContext): void {
  const id = identify(ref);
  if (id.state === 'foreign') {
    ctx.events.emit({ type: 'warning', component, message: `not signalling ${ref.label}: ${id.reason}` });
    return;
  }
  if (id.state !== 'running') return;
  try {
    process.kill(id.pid, `SIG${signal}`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/** Screen's own process outlives its program by a moment; quit it only if it is ours. */
async function quitScreenSession(
  session: string,
  ref: ProcessRef,
  component: SingleComponent,
  ctx: RunContext,
): Promise<void> {
  const sessions = listScreenSessions();
  for (const s of sessions.filter((x) => x.name === session)) {
    if (!isSessionOf(s.pid, ref.pidFile)) {
      const message = `leaving screen session ${s.pid}.${session}: lwaftrctl did not start it`;
      ctx.events.emit({ type: 'warning', component, message });
      continue;
    }
    await runLocal(['screen', '-S', `${s.pid}.${session}`, '-X', 'quit']).catch(() => undefined);
  }
}

function summarize(step: Step): Record<string, unknown> {
  const { kind } = step;
  if ('argv' in step) return { kind, argv: step.argv };
  if (step.kind === 'wait') return { kind, for: step.for.kind };
  if (step.kind === 'qmp') return { kind, execute: step.execute };
  if (step.kind === 'signal') return { kind, signal: step.signal, processes: step.processes.map((p) => p.label) };
  return { kind };
}
