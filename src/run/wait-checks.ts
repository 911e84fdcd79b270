// One look at a thing awaited, and the wait loop around it. Cheap looks (files, /proc, QMP; virsh
// and the guest over SSH only where the thing lives there): status and polls use these too.
import fs from 'node:fs';
import { OperationError } from '../errors.js';
import { guestProcessGoneArgv, guestProcessStateArgv, parseGuestProcessState } from '../io/guest-process.js';
import { identify, writeRecord } from '../io/process-identity.js';
import { type ChardevInfo, connectedChardevsOf, qmpOnce } from '../io/qmp-client.js';
import { BannerProbe, sshBannerAnswers } from '../io/ssh-banner.js';
import { tailFile } from '../io/tail-file.js';
import type { WaitFor, Watched } from '../plan/steps.js';
import { type Check, waitUntil } from '../util/wait-until.js';
import { checkDomain, describeDomainWait } from './libvirt-checks.js';
import type { RunContext } from './run-context.js';

export async function waitFor(w: WaitFor, timeoutMs: number, ctx: RunContext, watch: Watched[] = []): Promise<void> {
  const what = describe(w);
  const began = Date.now();
  let ok = false;
  const banner = w.kind === 'ssh-banner' ? new BannerProbe(w.host, w.port) : undefined;
  const look = (): Check | Promise<Check> =>
    banner ? (banner.look() ? { ready: true } : { ready: false, status: 'no SSH banner yet' }) : check(w, ctx);
  try {
    await waitUntil(() => checkWatched(watch, what) ?? look(), {
      what,
      timeoutMs,
      intervalMs: w.kind === 'ssh-banner' ? 200 : w.kind.startsWith('guest') ? 100 : 50,
      signal: ctx.signal,
      onProgress: (elapsedMs, status) => ctx.events.emit({ type: 'wait-progress', what, elapsedMs, status }),
      detail: () => detailFor(w),
      hint: hintFor(w, ctx),
    });
    ok = true;
  } finally {
    banner?.close();
    ctx.events.emit({ type: 'wait-end', what, elapsedMs: Date.now() - began, ok });
  }
}

/** Fails the wait at once when a process it depends on has died, with that process's own log. */
function checkWatched(watch: Watched[], what: string): undefined {
  for (const { process, log } of watch) {
    const id = identify(process);
    if (id.state !== 'running')
      throw new OperationError(
        `${process.label} died while waiting for ${what}`,
        undefined,
        tailFile(log, 15, `${process.label} log`),
      );
  }
  return undefined;
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
      // The screen wrapper wrote the pid; its start time is recorded the first time it is seen alive.
      if (!fs.existsSync(w.process.record)) writeRecord(w.process.record, id.pid);
      return readText(w.file).includes(w.text)
        ? { ready: true }
        : { ready: false, status: 'running, no start line yet' };
    }
    case 'qmp-ready':
    case 'qmp-status':
    case 'chardevs-connected':
      return checkQmp(w);
    case 'backend-connected': {
      const started = await check({ kind: 'log-line', file: w.log, text: w.text, process: w.process }, ctx);
      if (!started.ready) return started;
      const connected = await checkQmp({ kind: 'chardevs-connected', socket: w.socket, chardevs: [w.chardev] });
      return connected.ready ? connected : { ready: false, status: 'running, QEMU does not see it connected yet' };
    }
    case 'ssh-banner':
      return (await sshBannerAnswers(w.host, w.port)) ? { ready: true } : { ready: false, status: 'no SSH banner yet' };
    case 'processes-gone': {
      const alive = w.processes.map((p) => ({ p, id: identify(p) })).filter((x) => x.id.state === 'running');
      return alive.length
        ? { ready: false, status: alive.map((x) => `${x.p.label} still running`).join(', ') }
        : { ready: true };
    }
    case 'guest-process-gone': {
      // No sudo for a poll (each costs a second under TCG): the launch left the folder the SSH
      // user's, so the user may remove the pid file once its process is proven gone.
      const r = await ctx.guest().exec(guestProcessGoneArgv(w.pidFile));
      const [state, pid] = r.stdout.trim().split(' ');
      if (r.code !== 0)
        throw new OperationError(`cannot tell whether the guest lwAFTR has exited: ${(r.stderr || r.stdout).trim()}`);
      return state === 'running' ? { ready: false, status: `guest pid ${pid} still running` } : { ready: true };
    }
    case 'domain-state':
    case 'domain-chardevs-connected':
    case 'domain-pinned':
      return checkDomain(w);
    case 'guest-process-started': {
      const r = await ctx.guest().exec(guestProcessStateArgv(w.pidFile, w.log, w.ready));
      const guest = parseGuestProcessState(r, 'the guest process');
      if (guest.state === 'running') {
        if (guest.logBytes === 0) return { ready: false, status: `guest pid ${guest.pid} running, no output yet` };
        return guest.ready
          ? { ready: true }
          : { ready: false, status: `guest pid ${guest.pid} running, not ready yet` };
      }
      const tail = await ctx.guest().exec(['tail', '-n', '20', w.log]);
      throw new OperationError(
        `the guest process exited right after it started (${guest.state})`,
        undefined,
        tail.stdout.trim() || undefined,
      );
    }
  }
}

async function checkQmp(
  w: Extract<WaitFor, { kind: 'qmp-ready' | 'qmp-status' | 'chardevs-connected' }>,
): Promise<Check> {
  if (w.kind === 'qmp-ready' && identify(w.process).state !== 'running')
    throw new OperationError('QEMU exited during start-up');
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
    const connected = connectedChardevsOf(devs, w.chardevs);
    const waiting = w.chardevs.filter((id) => !connected.get(id));
    return waiting.length === 0 ? { ready: true } : { ready: false, status: `${waiting.join(', ')} not connected` };
  } catch (err) {
    if (err instanceof OperationError) throw err;
    return { ready: false, status: 'QMP not answering yet' };
  }
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
    case 'backend-connected':
      return `${w.process.label} to connect to QEMU (${w.chardev})`;
    case 'qmp-status':
      return `the VM to be ${w.status}`;
    case 'ssh-banner':
      return `the guest's SSH on ${w.host}:${w.port}`;
    case 'processes-gone':
      return `${w.processes.map((p) => p.label).join(' and ')} to exit`;
    case 'guest-process-started':
      return 'the guest lwAFTR to start';
    case 'guest-process-gone':
      return 'the guest lwAFTR to exit';
    case 'domain-state':
    case 'domain-chardevs-connected':
    case 'domain-pinned':
      return describeDomainWait(w);
  }
}

function detailFor(w: WaitFor): string | undefined {
  if (w.kind === 'log-line') return tailFile(w.file);
  if (w.kind === 'backend-connected') return tailFile(w.log);
  if (w.kind === 'ssh-banner') return tailFile(w.consoleLog, 20, 'guest console');
  return undefined;
}

function hintFor(w: WaitFor, ctx: RunContext): string | undefined {
  if (w.kind === 'ssh-banner')
    return `check the guest console (${ctx.paths.consoleLog}); raise TIMEOUT_SSH if the guest is just slow`;
  if (w.kind === 'chardevs-connected' || w.kind === 'qmp-ready' || w.kind === 'domain-chardevs-connected')
    return `check the snabbnfv logs (${ctx.paths.snabbnfv[1].log}) and ${ctx.paths.qemuLog}`;
  return undefined;
}
