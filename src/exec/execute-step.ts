// Carries out one plan step for real. Every signal goes only to a process proven to be ours.
import fs from 'node:fs';
import net from 'node:net';
import { OperationError } from '../errors.js';
import { guestProcessStateArgv } from '../plan/lwaftr-plan.js';
import { renderStep } from '../plan/render-plan.js';
import type { ProcessRef, Step, WaitFor } from '../plan/steps.js';
import { quoteArgv } from '../shell/quote.js';
import { identify, writeRecord } from '../state/process-identity.js';
import { waitUntil, type Check } from '../wait/wait-until.js';
import { runLocal, spawnDetached } from './local.js';
import { isChardevConnected, qmpOnce, type ChardevInfo } from './qmp-client.js';
import type { RunContext } from './run-context.js';
import { tailFile } from './tail-file.js';

export async function executeStep(step: Step, ctx: RunContext): Promise<void> {
  const started = Date.now();
  if (step.kind !== 'wait' && step.kind !== 'escalate') ctx.reporter.command(renderStep(step).filter((l) => !l.startsWith('#')).join('\n') || renderStep(step).join(' '));
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
    case 'remove':
      fs.rmSync(step.path, { force: true });
      return;
    case 'rotate-log':
      if (fs.existsSync(step.path)) fs.renameSync(step.path, step.path + '.1');
      return;
    case 'run':
      await runLocal(step.argv, step.cwd);
      return;
    case 'spawn': {
      const pid = spawnDetached(step.argv, step.log, step.cwd);
      fs.writeFileSync(step.process.pidFile, `${pid}\n`);
      if (!writeRecord(step.process.record, pid))
        throw new OperationError(`${step.process.label} exited at once: ${quoteArgv(step.argv.slice(0, 3))} …`, undefined, tailFile(step.log));
      return;
    }
    case 'wait':
      await waitFor(step.for, step.timeoutMs, ctx);
      ctx.reporter.doneWaiting();
      return;
    case 'escalate':
      return escalate(step, ctx);
    case 'qmp':
      await qmpOnce(step.socket, step.execute, step.arguments);
      return;
    case 'pin-vcpus':
      return pinVcpus(step.socket, step.process, step.cores, ctx);
    case 'signal':
      return signalOurs(step.process, step.signal, ctx);
    case 'screen-quit':
      return quitScreenSession(step.session, step.process, ctx);
    case 'remote': {
      const r = await ctx.guest().exec(step.argv);
      if (r.code !== 0) throw new OperationError(`in the guest, ${quoteArgv(step.argv).slice(0, 200)} failed (exit ${r.code})`, undefined, (r.stderr || r.stdout).trim() || undefined);
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
      ctx.reporter.doneWaiting();
      return;
    } catch (err) {
      if ((err as Error).name !== 'TimeoutError') throw err;
      ctx.reporter.doneWaiting();
      ctx.log.warn({ step: summarize(stage.step) }, 'did not take effect in time; escalating');
    }
  }
  throw new OperationError(`could not bring about ${describe(step.until)}, even with the last resort`, 'see the log in the state folder; the process may be stuck in the kernel (state D)');
}

export async function waitFor(w: WaitFor, timeoutMs: number, ctx: RunContext): Promise<void> {
  const what = describe(w);
  await waitUntil(() => check(w, ctx), {
    what,
    timeoutMs,
    intervalMs: w.kind === 'ssh-banner' || w.kind.startsWith('guest') ? 250 : 50,
    signal: ctx.signal,
    onProgress: (ms, status) => ctx.reporter.progress(what, ms, status),
    detail: () => detailFor(w),
    hint: hintFor(w, ctx),
  });
}

/** One look at the thing awaited. Throws when waiting longer cannot help (it died). */
export async function check(w: WaitFor, ctx: RunContext): Promise<Check> {
  switch (w.kind) {
    case 'log-line': {
      const id = identify(w.process);
      if (id.state !== 'running') {
        // The pid file appears a moment after screen returns.
        if (id.state === 'stopped') return { ready: false, status: 'no pid yet' };
        throw new OperationError(`${w.process.label} exited right after it started`, undefined, tailFile(w.file));
      }
      if (!fs.existsSync(w.process.record)) writeRecord(w.process.record, id.pid);
      return readText(w.file).includes(w.text) ? { ready: true } : { ready: false, status: 'running, no start line yet' };
    }
    case 'qmp-ready':
    case 'qmp-status':
    case 'chardevs-connected':
      return checkQmp(w);
    case 'ssh-banner':
      return (await readSshBanner(w.host, w.port)) ? { ready: true } : { ready: false, status: 'no SSH banner yet' };
    case 'process-gone': {
      const id = identify(w.process);
      return id.state === 'running' ? { ready: false, status: `pid ${id.pid} still running` } : { ready: true };
    }
    case 'guest-process-started':
    case 'guest-process-gone': {
      const r = await ctx.guest().exec(guestProcessStateArgv(w.pidFile, w.kind === 'guest-process-started' ? w.log : '/dev/null'));
      const [state, pid, logBytes] = r.stdout.trim().split(' ');
      if (w.kind === 'guest-process-gone') return state === 'running' ? { ready: false, status: `guest pid ${pid} still running` } : { ready: true };
      if (state === 'running') return Number(logBytes) > 0 ? { ready: true } : { ready: false, status: `guest pid ${pid} running, no output yet` };
      const tail = await ctx.guest().exec(['tail', '-n', '20', w.log]);
      throw new OperationError(`the guest process exited right after it started (${state})`, undefined, tail.stdout.trim() || undefined);
    }
  }
}

async function checkQmp(w: Extract<WaitFor, { kind: 'qmp-ready' | 'qmp-status' | 'chardevs-connected' }>): Promise<Check> {
  if (w.kind === 'qmp-ready' && identify(w.process).state !== 'running') throw new OperationError('QEMU exited during start-up');
  try {
    if (w.kind === 'qmp-ready') {
      await qmpOnce(w.socket, 'query-status');
      return { ready: true };
    }
    if (w.kind === 'qmp-status') {
      const s = await qmpOnce<{ status: string }>(w.socket, 'query-status');
      return s.status === w.status ? { ready: true } : { ready: false, status: s.status };
    }
    const devs = await qmpOnce<ChardevInfo[]>(w.socket, 'query-chardev');
    const waiting = w.chardevs.filter((id) => !devs.some((d) => d.label === id && isChardevConnected(d)));
    return waiting.length === 0 ? { ready: true } : { ready: false, status: `${waiting.join(', ')} not connected` };
  } catch (err) {
    if (err instanceof OperationError) throw err;
    return { ready: false, status: 'QMP not answering yet' };
  }
}

/** Slirp accepts TCP at once, before the guest listens: only the banner proves sshd is up. */
function readSshBanner(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.createConnection({ host, port });
    let data = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.on('data', (d) => {
      data += d.toString('latin1');
      if (data.startsWith('SSH-')) done(true);
      else if (data.length >= 4) done(false);
    });
    socket.on('error', () => done(false));
    socket.on('close', () => done(false));
  });
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
  const sessions = await listScreenSessions();
  for (const s of sessions.filter((x) => x.name === session)) {
    const cmdline = fs.readFileSync(`/proc/${s.pid}/cmdline`, 'utf8').split('\0');
    if (!cmdline.includes(ref.pidFile)) {
      ctx.reporter.warn(`leaving screen session ${s.pid}.${session}: lwaftrctl did not start it`);
      continue;
    }
    await runLocal(['screen', '-S', `${s.pid}.${session}`, '-X', 'quit']).catch(() => undefined);
  }
}

export async function listScreenSessions(): Promise<{ pid: number; name: string }[]> {
  let out: string;
  try {
    out = await runLocal(['screen', '-ls']);
  } catch (err) {
    // screen -ls exits 1 when there are sessions and when there are none: read its output anyway.
    out = (err as OperationError).detail ?? '';
  }
  return [...out.matchAll(/^\s+(\d+)\.(\S+)\s/gm)].map((m) => ({ pid: Number(m[1]), name: m[2]! }));
}

function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

export function describe(w: WaitFor): string {
  switch (w.kind) {
    case 'log-line':
      return `${w.process.label} to print "${w.text}"`;
    case 'qmp-ready':
      return 'QEMU to answer on QMP';
    case 'chardevs-connected':
      return `the vhost-user backends to connect (${w.chardevs.join(', ')})`;
    case 'qmp-status':
      return `the VM to be ${w.status}`;
    case 'ssh-banner':
      return `the guest's SSH on ${w.host}:${w.port}`;
    case 'process-gone':
      return `${w.process.label} to exit`;
    case 'guest-process-started':
      return 'the guest lwAFTR to start';
    case 'guest-process-gone':
      return 'the guest lwAFTR to exit';
  }
}

function detailFor(w: WaitFor): string | undefined {
  if (w.kind === 'log-line') return tailFile(w.file);
  if (w.kind === 'ssh-banner') return tailFile(w.consoleLog, 20, 'guest console');
  return undefined;
}

function hintFor(w: WaitFor, ctx: RunContext): string | undefined {
  if (w.kind === 'ssh-banner') return `check the guest console (${ctx.paths.consoleLog}); raise TIMEOUT_SSH if the guest is just slow`;
  if (w.kind === 'chardevs-connected' || w.kind === 'qmp-ready') return `check the snabbnfv logs (${ctx.paths.snabbnfv[1].log}) and ${ctx.paths.qemuLog}`;
  return undefined;
}

function summarize(step: Step): Record<string, unknown> {
  const { kind } = step;
  if ('argv' in step) return { kind, argv: step.argv };
  if (step.kind === 'wait') return { kind, for: step.for.kind };
  if (step.kind === 'qmp') return { kind, execute: step.execute };
  if (step.kind === 'signal') return { kind, signal: step.signal, process: step.process.label };
  return { kind };
}
