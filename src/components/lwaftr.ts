// lwaftr: the guest packet loop. Needs the VM; started detached with its pid recorded in the
// guest; stopped by that pid only (after its NICs are reset), never by name.
import { OperationError } from '../errors.js';
import { guestProcessGoneArgv, lwaftrStartPlan, lwaftrStopPlan } from '../plan/lwaftr-plan.js';
import { qemuProcess } from '../plan/vm-plan.js';
import { identify } from '../state/process-identity.js';
import { guestLwaftrState } from './guest-lwaftr-state.js';
import { type Component, runPlan } from './run-plan.js';

export const lwaftr: Component = {
  async start(ctx) {
    if (identify(qemuProcess(ctx.config)).state !== 'running')
      throw new OperationError(
        'the VM is not running, so the guest lwAFTR cannot start',
        `start it first: lwaftrctl -f ${ctx.config.file} vm start (or all start)`,
      );
    const before = await guestLwaftrState(ctx);
    if (before.state === 'running') {
      ctx.reporter.info(`lwaftr: already running in the guest (pid ${before.pid})`);
      return 'already-running';
    }
    if (before.state === 'dead') {
      ctx.reporter.warn(`lwaftr: the guest lwAFTR (pid ${before.pid}) had died; starting it again`);
      await ctx.guest().exec(guestProcessGoneArgv(ctx.paths.guest.pidFile));
    }
    const began = Date.now();
    try {
      await runPlan(lwaftrStartPlan(ctx.config), ctx);
    } catch (err) {
      await runPlan(lwaftrStopPlan(ctx.config), ctx).catch(() => undefined);
      throw err;
    }
    const now = await guestLwaftrState(ctx);
    ctx.reporter.info(
      `lwaftr: running in the guest (pid ${now.state === 'running' ? now.pid : '?'}) after ${((Date.now() - began) / 1000).toFixed(1)}s; log ${ctx.paths.guest.log}`,
    );
    return 'started';
  },

  async stop(ctx) {
    if (identify(qemuProcess(ctx.config)).state !== 'running') {
      ctx.reporter.info('lwaftr: the VM is not running, so neither is the guest lwAFTR');
      return 'already-stopped';
    }
    const before = await guestLwaftrState(ctx);
    if (before.state !== 'running') {
      // Removes the pid file only once its process is proven gone.
      if (before.state === 'dead') await ctx.guest().exec(guestProcessGoneArgv(ctx.paths.guest.pidFile));
      ctx.reporter.info('lwaftr: already stopped');
      return 'already-stopped';
    }
    await runPlan(lwaftrStopPlan(ctx.config), ctx);
    ctx.reporter.info(`lwaftr: stopped (pid ${before.pid})`);
    return 'stopped';
  },
};
