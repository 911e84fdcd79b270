// Carries out one plan step for real. Every signal goes only to a process proven to be ours.
import fs from 'node:fs';
import { OperationError } from '../errors.js';
import { renderStep } from '../plan/render-plan.js';
import type { ProcessRef, Step } from '../plan/steps.js';
import { quoteArgv } from '../shell/quote.js';
import { identify, writeRecord } from '../state/process-identity.js';
import { listScreenSessions } from '../state/screen-sessions.js';
import { waitUntil } from '../wait/wait-until.js';
import { check, describe, waitFor } from './checks.js';
import { runLocal, spawnDetached } from './local.js';
import { qmpOnce } from './qmp-client.js';
import type { RunContext } from './run-context.js';
import { tailFile } from './tail-file.js';

export async function executeStep(step: Step, ctx: RunContext): Promise<void> {
  const started = Date.now();
  // An escalation's stages show themselves as they run.
  if (step.kind !== 'escalate') for (const line of renderStep(step)) ctx.reporter.command(line);
  try {
    await executeBody(step, ctx);
    ctx.log.info({ step: summarize(step), ms: Date.now() - started }, 'step done');
  } catch (err) {
    ctx.log.error({ step: summarize(step), ms: Date.now() - started, err: (err as Error).message }, 'step failed');
    throw err;
  }
}

async function executeBody(step: Step, ctx: RunContext): Promise<void> {
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
      await runLocal(step.argv, step.cwd);
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
      await waitFor(step.for, step.timeoutMs, ctx);
      return;
    case 'escalate':
      return escalate(step, ctx);
    case 'qmp':
      await qmpOnce(step.socket, step.execute, step.arguments);
      return;
    case 'pin-vcpus':
      return pinVcpus(step.socket, step.process, step.cores, ctx);
    case 'signal':
      for (const process of step.processes) await signalOurs(process, step.signal, ctx);
      return;
    case 'screen-quit':
      return quitScreenSession(step.session, step.process, ctx);
    case 'remote': {
      const r = await ctx.guest().exec(step.argv);
      if (r.code !== 0)
        throw new OperationError(
          `in the guest, ${quoteArgv(step.argv).slice(0, 200)} failed (exit ${r.code})`,
          undefined,
          (r.stderr || r.stdout).trim() || undefined,
        );
      return;
    }
  }
}

/** Each stage, then its deadline for `until`; the first stage that gets there ends it. */
async function escalate(step: Extract<Step, { kind: 'escalate' }>, ctx: RunContext): Promise<void> {
  for (const stage of step.stages) {
    if ((await check(step.until, ctx)).ready) return;
    try {
      await executeStep(stage.step, ctx);
    } catch (err) {
      // A graceful stage that cannot run (QMP already closed) just hands over to the next.
      ctx.log.warn({ err: (err as Error).message }, 'escalation stage failed');
    }
    try {
      await waitFor(step.until, stage.timeoutMs, ctx);
      return;
    } catch (err) {
      if ((err as Error).name !== 'TimeoutError') throw err;
      ctx.log.warn({ step: summarize(stage.step) }, 'did not take effect in time; escalating');
    }
  }
  throw new OperationError(
    `could not bring about ${describe(step.until)}, even with the last resort`,
    'see the log in the state folder; the process may be stuck in the kernel (state D)',
  );
}

async function pinVcpus(socket: string, process: ProcessRef, cores: number[], ctx: RunContext): Promise<void> {
  const id = identify(process);
  if (id.state !== 'running') throw new OperationError('QEMU is not running: cannot pin its vCPU threads');
  const cpus = await qmpOnce<{ 'thread-id': number }[]>(socket, 'query-cpus-fast');
  for (const cpu of cpus) await runLocal(['taskset', '-pc', cores.join(','), String(cpu['thread-id'])]);
  ctx.log.info({ threads: cpus.map((c) => c['thread-id']), cores }, 'pinned vCPU threads');
}

async function signalOurs(ref: ProcessRef, signal: 'TERM' | 'KILL', ctx: RunContext): Promise<void> {
  const id = identify(ref);
  if (id.state === 'foreign') {
    ctx.reporter.warn(`not signalling ${ref.label}: ${id.reason}`);
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
async function quitScreenSession(session: string, ref: ProcessRef, ctx: RunContext): Promise<void> {
  const sessions = listScreenSessions();
  for (const s of sessions.filter((x) => x.name === session)) {
    const cmdline = fs.readFileSync(`/proc/${s.pid}/cmdline`, 'utf8').split('\0');
    if (!cmdline.includes(ref.pidFile)) {
      ctx.reporter.warn(`leaving screen session ${s.pid}.${session}: lwaftrctl did not start it`);
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
