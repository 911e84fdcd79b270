// snabbnfv status: each port's process (pid file + start time + command line), its core, its
// screen session, and whether QEMU sees it connected.
import { readProcStat, threadAffinity, uptimeSeconds } from '../../io/proc.js';
import { identify } from '../../io/process-identity.js';
import { listScreenSessions } from '../../io/screen-sessions.js';
import { lastLineWith } from '../../io/tail-file.js';
import type { RunContext } from '../../run/run-context.js';
import { isAre, portsText } from '../port-words.js';
import {
  type LoadReport,
  type PortStatus,
  RUNNING,
  type SnabbnfvStatus,
  STOPPED,
  type Verdict,
} from '../status-types.js';
import { hostShmRoot, readBackendTraffic } from './link-counters.js';
import { SNABBNFV_RUNNING_LINE, snabbnfvProcess } from './plan.js';
import { describeForeign, foreignSessions } from './sessions.js';

/** `connected`: QEMU's chardev id → connected, or undefined when QEMU does not run. */
export function snabbnfvStatus(ctx: RunContext, connected: Record<string, boolean> | undefined): SnabbnfvStatus {
  const sessions = listScreenSessions();
  const foreign = foreignSessions(ctx.config);
  const ports = ctx.config.snabbnfv.ports.map((port): PortStatus => {
    const p = ctx.paths.snabbnfv[port.index];
    const id = identify(snabbnfvProcess(ctx.config, port));
    const running = id.state === 'running';
    const last = lastLineWith(p.log);
    const session = running
      ? sessions.find((s) => s.name === p.session && readProcStat(id.pid)?.ppid === s.pid)
      : undefined;
    return {
      port: port.index,
      state: id.state,
      pid: id.state === 'running' || id.state === 'dead' ? id.pid : null,
      uptimeSeconds: running ? (uptimeSeconds(id.startTime) ?? null) : null,
      pci: port.pci,
      core: { wanted: String(port.core), actual: running ? (threadAffinity(id.pid, id.pid) ?? null) : null },
      socket: port.socket,
      backendConnected: connected ? (connected[p.chardev] ?? false) : null,
      screen: session ? `${session.pid}.${session.name}` : null,
      attach: session ? `screen -r ${session.pid}.${session.name}` : null,
      log: p.log,
      lastLine: last,
      load: parseLoadReport(lastLineWith(p.log, SNABBNFV_RUNNING_LINE)),
      traffic: running ? readBackendTraffic(hostShmRoot(), id.pid) : null,
      note: id.state === 'foreign' ? id.reason : null,
      foreignSession: foreign.find((f) => f.port === port.index)?.session ?? null,
    };
  });
  if (foreign.length) return { state: 'foreign', deadWithPidFile: false, ...describeForeign(foreign), ports };
  return { ...judgeSnabbnfv(ports, ctx.config.file), ports };
}

/** Pure: the component's state from its ports'. */
export function judgeSnabbnfv(ports: Pick<PortStatus, 'port' | 'state' | 'backendConnected'>[], file: string): Verdict {
  const restart = `lwaftrctl -f ${file} snabbnfv restart`;
  const which = (keep: (p: (typeof ports)[number]) => boolean) => ports.filter(keep).map((p) => p.port);
  const states = ports.map((p) => p.state);
  if (states.every((s) => s === 'running')) {
    const off = which((p) => p.backendConnected === false);
    if (off.length === 0) return RUNNING;
    const reason = `${portsText(off)} ${isAre(off)} not connected to QEMU`;
    return { ...RUNNING, state: 'degraded', reason, fix: restart };
  }
  const dead = which((p) => p.state === 'dead');
  if (dead.length)
    return {
      state: 'broken',
      deadWithPidFile: true,
      reason: `${portsText(dead)} died; ${dead.length === 1 ? 'its pid file is' : 'their pid files are'} left`,
      fix: `lwaftrctl -f ${file} snabbnfv start`,
    };
  if (states.every((s) => s === 'stopped' || s === 'foreign')) return STOPPED;
  const down = which((p) => p.state !== 'running');
  return { ...RUNNING, state: 'degraded', reason: `${portsText(down)} ${isAre(down)} not running`, fix: restart };
}

/** snabbnfv's load report, as Snabb's core/app.lua prints it every second. */
export function parseLoadReport(line: string | null): LoadReport | null {
  const m = /load: time: \S+\s+fps: (\d+)\s+fpGbps: ([\d.]+)\s+fpb: (\d+)\s+bpp: (\S+)\s+sleep: (\d+)\s*us/.exec(
    line ?? '',
  );
  if (!m) return null;
  const bpp = Number(m[4]);
  return {
    fps: Number(m[1]),
    fpGbps: Number(m[2]),
    fpb: Number(m[3]),
    bpp: Number.isFinite(bpp) ? bpp : null,
    sleepUs: Number(m[5]),
  };
}
