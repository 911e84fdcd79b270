// lwaftr: the guest packet loop. Needs the VM; started detached with its pid recorded in the
// guest; stopped by that pid only (after its NICs are reset), never by name.
import { OperationError } from '../../errors.js';
import { asRoot, guestProcessGoneArgv } from '../../io/guest-process.js';
import { identify } from '../../io/process-identity.js';
import { runPlan } from '../../run/run-plan.js';
import { type Controller, report, secondsSince, warn } from '../controller.js';
import { qemuProcess } from '../vm/plan.js';
import { readGuestLwaftr } from './guest-lwaftr.js';
import { lwaftrStartPlan, lwaftrStopPlan } from './plan.js';

export const lwaftr: Controller = {
  async start(ctx) {
    if (identify(qemuProcess(ctx.config)).state !== 'running')
      throw new OperationError(
        'the VM is not running, so the guest lwAFTR cannot start',
        `start it first: lwaftrctl -f ${ctx.config.file} vm start (or all start)`,
      );
    const before = await readGuestLwaftr(ctx);
    if (before.state === 'running') {
      report(ctx, 'lwaftr', 'already-running', { pid: before.pid });
      return 'already-running';
    }
    if (before.state === 'dead') {
      warn(ctx, 'lwaftr', `the guest lwAFTR (pid ${before.pid}) had died; starting it again`);
      await ctx.guest().exec(asRoot(ctx.config.ssh.user, guestProcessGoneArgv(ctx.paths.guest.pidFile)));
    }
    const began = Date.now();
    report(ctx, 'lwaftr', 'starting');
    try {
      await runPlan(lwaftrStartPlan(ctx.config), ctx);
    } catch (err) {
      await runPlan(lwaftrStopPlan(ctx.config), ctx).catch(() => undefined);
      throw err;
    }
    const now = await readGuestLwaftr(ctx);
    const pid = now.state === 'running' ? now.pid : undefined;
    report(ctx, 'lwaftr', 'started', { pid, seconds: secondsSince(began), log: ctx.paths.guest.log });
    return 'started';
  },

  async stop(ctx) {
    if (identify(qemuProcess(ctx.config)).state !== 'running') {
      report(ctx, 'lwaftr', 'already-stopped', { reason: 'the VM is not running' });
      return 'already-stopped';
    }
    const before = await readGuestLwaftr(ctx);
    if (before.state !== 'running') {
      // Removes the pid file only once its process is proven gone.
      if (before.state === 'dead')
        await ctx.guest().exec(asRoot(ctx.config.ssh.user, guestProcessGoneArgv(ctx.paths.guest.pidFile)));
      report(ctx, 'lwaftr', 'already-stopped');
      return 'already-stopped';
    }
    const began = Date.now();
    report(ctx, 'lwaftr', 'stopping', { pid: before.pid });
    await runPlan(lwaftrStopPlan(ctx.config), ctx);
    report(ctx, 'lwaftr', 'stopped', { pid: before.pid, seconds: secondsSince(began) });
    return 'stopped';
  },
};
