// snabbnfv: decides which ports need starting or stopping, proves each start, and
// undoes a half-done start. Sockets are never touched: QEMU owns them.

import type { NfvPort } from '../config/types.js';
import { snabbnfvProcess, snabbnfvStartPlan, snabbnfvStopPlan } from '../plan/snabbnfv-plan.js';
import { qemuProcess } from '../plan/vm-plan.js';
import { identify, removeStaleFiles } from '../state/process-identity.js';
import { listScreenSessions } from '../state/screen-sessions.js';
import { type Component, runPlan } from './run-plan.js';

export const snabbnfv: Component = {
  async start(ctx) {
    const toStart: NfvPort[] = [];
    for (const port of ctx.config.snabbnfv.ports) {
      const ref = snabbnfvProcess(ctx.config, port);
      const id = identify(ref);
      if (id.state === 'running') ctx.reporter.info(`snabbnfv port ${port.index}: already running (pid ${id.pid})`);
      else {
        if (id.state === 'foreign')
          ctx.reporter.warn(`snabbnfv port ${port.index}: ${id.reason}; its stale pid file is removed`);
        removeStaleFiles(ref);
        toStart.push(port);
      }
    }
    if (toStart.length === 0) return 'already-running';
    try {
      await runPlan(snabbnfvStartPlan(ctx.config, toStart, identify(qemuProcess(ctx.config)).state === 'running'), ctx);
    } catch (err) {
      // Leave nothing half-started: stop whichever of this run's ports did come up.
      await runPlan(snabbnfvStopPlan(ctx.config, toStart), ctx).catch(() => undefined);
      for (const port of toStart) removeStaleFiles(snabbnfvProcess(ctx.config, port));
      throw err;
    }
    for (const port of toStart) {
      const id = identify(snabbnfvProcess(ctx.config, port));
      ctx.reporter.info(
        `snabbnfv port ${port.index}: started (pid ${id.state === 'running' ? id.pid : '?'}, core ${port.core}, screen ${ctx.paths.snabbnfv[port.index].session})`,
      );
    }
    return 'started';
  },

  async stop(ctx) {
    const toStop: NfvPort[] = [];
    for (const port of ctx.config.snabbnfv.ports) {
      const ref = snabbnfvProcess(ctx.config, port);
      const id = identify(ref);
      if (id.state === 'running') toStop.push(port);
      else {
        if (id.state === 'foreign') ctx.reporter.warn(`snabbnfv port ${port.index}: ${id.reason}; left alone`);
        removeStaleFiles(ref);
      }
    }
    // A session whose program is gone but whose screen lingers is still closed.
    const lingering = listScreenSessions().some((s) =>
      ctx.config.snabbnfv.ports.some((p) => ctx.paths.snabbnfv[p.index].session === s.name),
    );
    if (toStop.length === 0 && !lingering) {
      ctx.reporter.info('snabbnfv: already stopped');
      return 'already-stopped';
    }
    await runPlan(snabbnfvStopPlan(ctx.config, toStop.length ? toStop : ctx.config.snabbnfv.ports), ctx);
    // The escalation has proven them gone (or thrown): their files are stale now.
    for (const port of ctx.config.snabbnfv.ports) removeStaleFiles(snabbnfvProcess(ctx.config, port));
    ctx.reporter.info(`snabbnfv: stopped${toStop.length ? ` port ${toStop.map((p) => p.index).join(' and ')}` : ''}`);
    return 'stopped';
  },
};
