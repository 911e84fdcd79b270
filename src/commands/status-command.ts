// status: derived every time from what is alive (pid + start time + command line, QMP, the
// guest), never from a stored flag. Exit codes follow LSB.
import fs from 'node:fs';
import { type GuestState, guestLwaftrState } from '../components/guest-lwaftr-state.js';
import { formatCoreList } from '../config/parse-values.js';
import type { Config } from '../config/types.js';
import { STATUS_EXIT } from '../errors.js';
import { check } from '../exec/checks.js';
import { GuestSsh } from '../exec/guest-ssh.js';
import { type ChardevInfo, isChardevConnected, qmpOnce } from '../exec/qmp-client.js';
import { Reporter } from '../exec/reporter.js';
import type { RunContext } from '../exec/run-context.js';
import { SILENT_LOG } from '../exec/step-log.js';
import { type Component, type SingleComponent, START_ORDER } from '../plan/action-plan.js';
import { instancePaths } from '../plan/instance-paths.js';
import { sshTarget } from '../plan/lwaftr-plan.js';
import { qemuChardevId } from '../plan/qemu-args.js';
import { snabbnfvProcess } from '../plan/snabbnfv-plan.js';
import { qemuProcess } from '../plan/vm-plan.js';
import { listThreads, readProcStat, threadAffinity, threadName, uptimeSeconds } from '../state/proc.js';
import { type Identity, identify } from '../state/process-identity.js';
import { listScreenSessions } from '../state/screen-sessions.js';
import { type GlobalOptions, loadForCommand } from './global-options.js';

export type State = 'running' | 'stopped' | 'degraded' | 'broken' | 'unknown';

export interface ComponentStatus {
  state: State;
  reason?: string;
  fix?: string;
  /** A process of this component died and left its pid file (LSB exit 1). */
  deadWithPidFile?: boolean;
  [key: string]: unknown;
}

export async function statusCommand(component: Component, opts: GlobalOptions): Promise<number> {
  const { config } = loadForCommand(opts);
  const ctx = statusContext(config, opts);
  try {
    const status = await collectStatus(ctx);
    const shown = component === 'all' ? START_ORDER : [component];
    if (opts.json) {
      const doc: Record<string, unknown> = { instance: config.name, config: config.file, stateDir: config.stateDir };
      for (const c of shown) doc[c] = status[c];
      process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    } else if (!opts.quiet) process.stdout.write(formatStatus(config, shown, status));
    return exitCodeOf(shown.map((c) => status[c]));
  } finally {
    ctx.close();
  }
}

/** Read-only: no lock, no log file, nothing written in the state folder. */
function statusContext(config: Config, opts: GlobalOptions): RunContext {
  const ssh = new GuestSsh(sshTarget(config), Math.min(config.timeouts.sshConnectMs, 3000));
  return {
    config,
    paths: instancePaths(config),
    log: SILENT_LOG,
    reporter: new Reporter({ ...opts, quiet: true }),
    signal: new AbortController().signal,
    guest: () => ssh,
    close: () => ssh.close(),
  };
}

type GuestProbe = Promise<{ ok: true; guest: GuestState } | { ok: false; error: Error }> | undefined;

export async function collectStatus(ctx: RunContext): Promise<Record<SingleComponent, ComponentStatus>> {
  // The guest is asked over SSH (the slow part) while QEMU is asked over QMP.
  const probe: GuestProbe =
    identify(qemuProcess(ctx.config)).state === 'running'
      ? guestLwaftrState(ctx).then(
          (guest) => ({ ok: true as const, guest }),
          (error: Error) => ({ ok: false as const, error }),
        )
      : undefined;
  const vmStatus = await vmState(ctx, probe);
  const chardevs = (vmStatus.backends as Record<string, boolean> | undefined) ?? {};
  return {
    snabbnfv: snabbnfvState(ctx, vmStatus.state !== 'stopped' && vmStatus.state !== 'broken' ? chardevs : undefined),
    vm: vmStatus,
    lwaftr: await lwaftrState(ctx, vmStatus, probe),
  };
}

function snabbnfvState(ctx: RunContext, chardevs: Record<string, boolean> | undefined): ComponentStatus {
  const sessions = listScreenSessions();
  const ports = ctx.config.snabbnfv.ports.map((port) => {
    const p = ctx.paths.snabbnfv[port.index];
    const id = identify(snabbnfvProcess(ctx.config, port));
    const session =
      id.state === 'running'
        ? sessions.find((s) => s.name === p.session && readProcStat(id.pid)?.ppid === s.pid)
        : undefined;
    return {
      port: port.index,
      state: id.state,
      ...processFacts(id),
      pci: port.pci,
      core: { wanted: String(port.core), actual: id.state === 'running' ? threadAffinity(id.pid, id.pid) : undefined },
      socket: port.socket,
      backendConnected: chardevs ? (chardevs[qemuChardevId(port.index)] ?? false) : null,
      screen: session ? `${session.pid}.${session.name}` : undefined,
      attach: session ? `screen -r ${session.pid}.${session.name}` : undefined,
      log: p.log,
      lastLine: lastLine(p.log),
    };
  });
  const states = ports.map((p) => p.state);
  const fix = `lwaftrctl -f ${ctx.config.file} snabbnfv restart`;
  let summary: Pick<ComponentStatus, 'state' | 'reason' | 'fix' | 'deadWithPidFile'>;
  if (states.every((s) => s === 'running')) {
    const off = ports.filter((p) => p.backendConnected === false);
    summary = off.length
      ? { state: 'degraded', reason: `port ${off.map((p) => p.port).join(', ')} not connected to QEMU`, fix }
      : { state: 'running' };
  } else if (states.includes('dead'))
    summary = {
      state: 'broken',
      deadWithPidFile: true,
      reason: `port ${ports
        .filter((p) => p.state === 'dead')
        .map((p) => p.port)
        .join(', ')} died; its pid file is left`,
      fix: `lwaftrctl -f ${ctx.config.file} snabbnfv start`,
    };
  else if (states.every((s) => s === 'stopped' || s === 'foreign')) summary = { state: 'stopped' };
  else
    summary = {
      state: 'degraded',
      reason: `port ${ports
        .filter((p) => p.state !== 'running')
        .map((p) => p.port)
        .join(', ')} not running`,
      fix,
    };
  return { ...summary, ports };
}

async function vmState(ctx: RunContext, probe: GuestProbe): Promise<ComponentStatus> {
  const id = identify(qemuProcess(ctx.config));
  const base = {
    ...processFacts(id),
    logs: { qemu: ctx.paths.qemuLog, console: ctx.paths.consoleLog },
    qmpSocket: ctx.paths.qmpSocket,
    ssh: `${ctx.config.ssh.host}:${ctx.config.ssh.port}`,
  };
  const startFix = `lwaftrctl -f ${ctx.config.file} vm start`;
  if (id.state === 'dead')
    return {
      state: 'broken',
      deadWithPidFile: true,
      reason: `QEMU (pid ${id.pid}) died; its pid file is left`,
      fix: startFix,
      ...base,
    };
  if (id.state !== 'running') return { state: 'stopped', ...base };
  let qmpStatus: string | undefined;
  let backends: Record<string, boolean> | undefined;
  try {
    qmpStatus = (await qmpOnce<{ status: string }>(ctx.paths.qmpSocket, 'query-status')).status;
    const devs = await qmpOnce<ChardevInfo[]>(ctx.paths.qmpSocket, 'query-chardev');
    backends = Object.fromEntries(
      ctx.config.snabbnfv.ports
        .map((p) => qemuChardevId(p.index))
        .map((c) => [c, devs.some((d) => d.label === c && isChardevConnected(d))]),
    );
  } catch {
    // Reported below as QMP not answering.
  }
  const ssh = ctx.config.ssh;
  // A guest that answered the SSH probe is reachable; otherwise its banner tells whether sshd is up at all.
  const guestReachable =
    (await probe)?.ok ||
    (await check({ kind: 'ssh-banner', host: ssh.host, port: ssh.port, consoleLog: ctx.paths.consoleLog }, ctx)).ready;
  const pinning = pinningOf(ctx.config, id.pid);
  const facts = { ...base, qmpStatus, backends, guestReachable, pinning };
  const problems = [
    qmpStatus === undefined ? 'QMP does not answer' : qmpStatus !== 'running' ? `the VM is ${qmpStatus}` : undefined,
    backends && Object.values(backends).includes(false)
      ? `backend ${Object.keys(backends)
          .filter((k) => !backends![k])
          .join(', ')} disconnected`
      : undefined,
    guestReachable ? undefined : "the guest's SSH does not answer",
    pinning.ok ? undefined : 'threads are not on the cores wanted',
  ].filter(Boolean);
  if (problems.length === 0) return { state: 'running', ...facts };
  const fix =
    backends && Object.values(backends).includes(false)
      ? `lwaftrctl -f ${ctx.config.file} snabbnfv restart`
      : `lwaftrctl -f ${ctx.config.file} vm restart`;
  return { state: 'degraded', reason: problems.join('; '), fix, ...facts };
}

/** Wanted vs actual affinity of the vCPU threads (named "CPU n/TCG|KVM") and of all the others. */
function pinningOf(config: Config, pid: number) {
  const pin = config.vm.pin;
  const vcpuWanted = pin.vcpuCores ?? pin.wholeProcessCores;
  const otherWanted = pin.emulatorCores ?? pin.wholeProcessCores;
  // threadName/threadAffinity tolerate a thread that ends while it is being read.
  const threads = listThreads(pid).map((tid) => ({
    tid,
    name: threadName(pid, tid),
    affinity: threadAffinity(pid, tid) ?? '?',
  }));
  const isVcpu = (name: string) => /^CPU \d+\//.test(name);
  const check = (wanted: number[] | undefined, list: typeof threads) => ({
    wanted: wanted ? formatCoreList(wanted) : 'any',
    actual: [...new Set(list.map((t) => t.affinity))].join(' '),
    ok: !wanted || list.every((t) => sameCores(t.affinity, wanted)),
  });
  const vcpu = check(
    vcpuWanted,
    threads.filter((t) => isVcpu(t.name)),
  );
  const other = check(
    otherWanted,
    threads.filter((t) => !isVcpu(t.name)),
  );
  return { ok: vcpu.ok && other.ok, vcpu, emulator: other, threads };
}

function sameCores(affinity: string, wanted: number[]): boolean {
  const cores = affinity.split(',').flatMap((part) => {
    const [lo, hi] = part.split('-').map(Number);
    return Array.from({ length: (hi ?? lo!) - lo! + 1 }, (_, i) => lo! + i);
  });
  return cores.length === wanted.length && cores.every((c, i) => c === wanted[i]);
}

async function lwaftrState(ctx: RunContext, vm: ComponentStatus, probe: GuestProbe): Promise<ComponentStatus> {
  const g = ctx.paths.guest;
  const base = { log: `guest:${g.log}`, pidFile: `guest:${g.pidFile}` };
  const answer = await probe;
  if (!answer || vm.state === 'stopped' || vm.state === 'broken')
    return { state: 'stopped', reason: 'the VM is not running', ...base };
  if (!answer.ok)
    return {
      state: 'unknown',
      reason: `cannot reach the guest: ${answer.error.message}`,
      fix: `lwaftrctl -f ${ctx.config.file} vm restart`,
      ...base,
    };
  const guest = answer.guest;
  const last = guest.lastLine;
  if (guest.state === 'running') return { state: 'running', pid: guest.pid, lastLine: last, ...base };
  if (guest.state === 'dead')
    return {
      state: 'degraded',
      deadWithPidFile: true,
      reason: `the guest lwAFTR (pid ${guest.pid}) died; its pid file is left`,
      fix: `lwaftrctl -f ${ctx.config.file} lwaftr restart`,
      pid: guest.pid,
      lastLine: last,
      ...base,
    };
  return { state: 'stopped', ...base };
}

function processFacts(id: Identity) {
  if (id.state === 'running') return { pid: id.pid, uptimeSeconds: uptimeSeconds(id.startTime) };
  if (id.state === 'dead') return { pid: id.pid };
  if (id.state === 'foreign') return { staleNote: id.reason };
  return {};
}

function lastLine(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8').replace(/\r/g, '').trimEnd().split('\n').pop() || undefined;
  } catch {
    return undefined;
  }
}

/** LSB: 0 all running, 1 something dead with its pid file left, 3 not (fully) running, 4 unknown. */
export function exitCodeOf(statuses: ComponentStatus[]): number {
  const states = statuses.map((s) => s.state);
  if (states.every((s) => s === 'running')) return STATUS_EXIT.running;
  if (statuses.some((s) => s.deadWithPidFile)) return STATUS_EXIT.deadWithPidFile;
  if (states.includes('unknown')) return STATUS_EXIT.unknown;
  return STATUS_EXIT.stopped;
}

function formatStatus(
  config: Config,
  shown: SingleComponent[],
  status: Record<SingleComponent, ComponentStatus>,
): string {
  const lines = [`instance ${config.name} (${config.file}), state in ${config.stateDir}`];
  for (const c of shown) {
    const s = status[c];
    lines.push(`${c.padEnd(9)} ${s.state}${s.reason ? `: ${s.reason}` : ''}`);
    for (const detail of describeComponent(c, s)) lines.push(`          ${detail}`);
    if (s.fix) lines.push(`          fix: ${s.fix}`);
  }
  return `${lines.join('\n')}\n`;
}

function describeComponent(c: SingleComponent, s: ComponentStatus): string[] {
  const up = (sec: unknown) => (typeof sec === 'number' ? `, up ${sec}s` : '');
  if (c === 'snabbnfv')
    return (s.ports as Record<string, unknown>[]).map((p) => {
      const core = p.core as { wanted: string; actual?: string };
      const conn = p.backendConnected === null ? '' : p.backendConnected ? ', connected' : ', NOT connected';
      return `port ${p.port}: ${p.state}${p.pid ? ` pid ${p.pid}` : ''}${up(p.uptimeSeconds)}, core ${core.wanted}${core.actual ? ` (affinity ${core.actual})` : ''}, ${p.pci} <-> ${p.socket}${conn}${p.attach ? `; attach: ${p.attach}` : ''}; log ${p.log}`;
    });
  if (c === 'vm') {
    if (!s.pid) return [`logs ${(s.logs as { qemu: string }).qemu}, ${(s.logs as { console: string }).console}`];
    const pin = s.pinning as
      | { vcpu: { wanted: string; actual: string }; emulator: { wanted: string; actual: string } }
      | undefined;
    return [
      `pid ${s.pid}${up(s.uptimeSeconds)}, QMP ${s.qmpStatus ?? 'not answering'}, guest SSH ${s.ssh} ${s.guestReachable ? 'answers' : 'does not answer'}`,
      ...(pin
        ? [
            `vCPU threads on ${pin.vcpu.actual} (wanted ${pin.vcpu.wanted}); other threads on ${pin.emulator.actual} (wanted ${pin.emulator.wanted})`,
          ]
        : []),
      `logs ${(s.logs as { qemu: string }).qemu}, console ${(s.logs as { console: string }).console}`,
    ];
  }
  return [`${s.pid ? `guest pid ${s.pid}; ` : ''}log ${s.log}`, ...(s.lastLine ? [`last: ${s.lastLine}`] : [])];
}
