// snabbnfv: decides which ports need starting or stopping, proves each start, and
// undoes a half-done start. Sockets are never touched: QEMU owns them.
import type { NfvPort } from '../../config/types.js';
import { OperationError } from '../../errors.js';
import { identify, removeStaleFiles } from '../../io/process-identity.js';
import { listScreenSessions } from '../../io/screen-sessions.js';
import type { RunContext } from '../../run/run-context.js';
import { runPlan } from '../../run/run-plan.js';
import { type Controller, report, secondsSince, warn } from '../controller.js';
import { qemuProcess } from '../vm/plan.js';
import { snabbnfvProcess, snabbnfvStartPlan, snabbnfvStopPlan } from './plan.js';
import { describeForeign, foreignSessions } from './sessions.js';

/** A session with this instance's name that lwaftrctl did not start: never act on or beside it. */
function refuseBesideForeign(ctx: RunContext, doing: string): void {
  const foreign = foreignSessions(ctx.config);
  if (foreign.length === 0) return;
  const { reason, fix } = describeForeign(foreign);
  throw new OperationError(`not ${doing} snabbnfv: ${reason}`, fix);
}

export const snabbnfv: Controller = {
  async start(ctx, opts = {}) {
    refuseBesideForeign(ctx, 'starting');
    const toStart: NfvPort[] = [];
    for (const port of ctx.config.snabbnfv.ports) {
      const ref = snabbnfvProcess(ctx.config, port);
      const id = identify(ref);
      if (id.state === 'running') report(ctx, 'snabbnfv', 'already-running', { port: port.index, pid: id.pid });
      else {
        if (id.state === 'foreign')
          warn(ctx, 'snabbnfv', `port ${port.index}: ${id.reason}; its stale pid file is removed`);
        removeStaleFiles(ref);
        toStart.push(port);
      }
    }
    if (toStart.length === 0) return 'already-running';
    const began = Date.now();
    report(ctx, 'snabbnfv', 'starting');
    const vmRunning = identify(qemuProcess(ctx.config)).state === 'running';
    try {
      await runPlan(snabbnfvStartPlan(ctx.config, { ports: toStart, vmRunning, vmStartsNext: opts.vmStartsNext }), ctx);
    } catch (err) {
      // Leave nothing half-started: stop whichever of this run's ports did come up.
      await runPlan(snabbnfvStopPlan(ctx.config, toStart), ctx).catch(() => undefined);
      for (const port of toStart) removeStaleFiles(snabbnfvProcess(ctx.config, port));
      throw err;
    }
    for (const port of toStart) {
      const id = identify(snabbnfvProcess(ctx.config, port));
      report(ctx, 'snabbnfv', 'started', {
        port: port.index,
        pid: id.state === 'running' ? id.pid : undefined,
        core: String(port.core),
        screen: ctx.paths.snabbnfv[port.index].session,
        seconds: secondsSince(began),
      });
    }
    return 'started';
  },

  async stop(ctx) {
    refuseBesideForeign(ctx, 'stopping');
    const toStop: NfvPort[] = [];
    for (const port of ctx.config.snabbnfv.ports) {
      const ref = snabbnfvProcess(ctx.config, port);
      const id = identify(ref);
      if (id.state === 'running') toStop.push(port);
      else {
        if (id.state === 'foreign') warn(ctx, 'snabbnfv', `port ${port.index}: ${id.reason}; left alone`);
        removeStaleFiles(ref);
      }
    }
    // A session whose program is gone but whose screen lingers is still closed.
    const sessions = new Set(ctx.config.snabbnfv.ports.map((p) => ctx.paths.snabbnfv[p.index].session));
    const lingering = listScreenSessions().some((s) => sessions.has(s.name));
    if (toStop.length === 0 && !lingering) {
      report(ctx, 'snabbnfv', 'already-stopped');
      return 'already-stopped';
    }
    const began = Date.now();
    report(ctx, 'snabbnfv', 'stopping');
    await runPlan(snabbnfvStopPlan(ctx.config, toStop.length ? toStop : ctx.config.snabbnfv.ports), ctx);
    // The escalation has proven them gone (or thrown): their files are stale now.
    for (const port of ctx.config.snabbnfv.ports) removeStaleFiles(snabbnfvProcess(ctx.config, port));
    for (const port of toStop) report(ctx, 'snabbnfv', 'stopped', { port: port.index, seconds: secondsSince(began) });
    if (toStop.length === 0) report(ctx, 'snabbnfv', 'stopped', { reason: 'closed lingering screen sessions' });
    return 'stopped';
  },
};
