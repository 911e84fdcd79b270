// vm: QEMU starts only once both backends run (it would block forever otherwise), is proven
// up through QMP and the guest's SSH banner, and is stopped gracefully, then by force.
import { OperationError } from '../../errors.js';
import { identify } from '../../io/process-identity.js';
import { qmpOnce } from '../../io/qmp-client.js';
import { tailFile } from '../../io/tail-file.js';
import type { RunContext } from '../../run/run-context.js';
import { runPlan } from '../../run/run-plan.js';
import { type Controller, report, secondsSince, warn } from '../controller.js';
import { libvirtVm } from './libvirt-controller.js';
import { qemuProcess, vmStartPlan, vmStopPlan } from './plan.js';
import { cleanAfterQemu } from './sockets.js';
import { refuseBusySshPort, refuseWithoutBackends } from './start-guards.js';

/** The VM through the engine the config names (VM_ENGINE): lwaftrctl's own QEMU, or a libvirt domain. */
export const vm: Controller = {
  start: (ctx) => (ctx.config.vm.engine === 'libvirt' ? libvirtVm : qemuVm).start(ctx),
  stop: (ctx, opts) => (ctx.config.vm.engine === 'libvirt' ? libvirtVm : qemuVm).stop(ctx, opts),
};

const qemuVm: Controller = {
  async start(ctx) {
    const ref = qemuProcess(ctx.config);
    const id = identify(ref);
    if (id.state === 'running') {
      // Converge rather than trust: a start interrupted after QEMU launched left it paused.
      const status = await qmpOnce<{ status: string }>(ctx.paths.qmpSocket, 'query-status').catch(() => undefined);
      if (status?.status === 'running') {
        report(ctx, 'vm', 'already-running', { pid: id.pid });
        return 'already-running';
      }
      report(ctx, 'vm', 'resuming', { pid: id.pid, reason: status?.status ?? 'not answering QMP' });
      const plan = vmStartPlan(ctx.config);
      await runPlan({ ...plan, steps: plan.steps.slice(plan.steps.findIndex((st) => st.kind === 'spawn') + 1) }, ctx);
      report(ctx, 'vm', 'started', { pid: id.pid, ssh: sshOf(ctx) });
      return 'started';
    }
    if (id.state === 'foreign') warn(ctx, 'vm', `${id.reason}; its stale pid file is removed`);
    refuseWithoutBackends(ctx);
    await refuseBusySshPort(ctx);
    cleanAfterQemu(ctx.config);
    const began = Date.now();
    report(ctx, 'vm', 'starting');
    try {
      await runPlan(vmStartPlan(ctx.config), ctx);
    } catch (err) {
      await runPlan(vmStopPlan(ctx.config, true), ctx).catch(() => undefined);
      cleanAfterQemu(ctx.config);
      if (err instanceof OperationError)
        err.detail ??=
          [tailFile(ctx.paths.qemuLog, 15, 'QEMU log'), tailFile(ctx.paths.consoleLog, 15, 'guest console')]
            .filter(Boolean)
            .join('\n') || undefined;
      throw err;
    }
    const now = identify(ref);
    const pid = now.state === 'running' ? now.pid : undefined;
    report(ctx, 'vm', 'started', { pid, ssh: sshOf(ctx), seconds: secondsSince(began) });
    return 'started';
  },

  async stop(ctx, opts) {
    // The guest's SSH goes with the guest: drop it now (this run's and the instance's kept-open
    // one) rather than wait on a peer that powered off.
    await ctx.guest().close();
    const id = identify(qemuProcess(ctx.config));
    if (id.state !== 'running') {
      if (id.state === 'foreign') warn(ctx, 'vm', `${id.reason}; left alone`);
      cleanAfterQemu(ctx.config);
      report(ctx, 'vm', 'already-stopped');
      return 'already-stopped';
    }
    const began = Date.now();
    report(ctx, 'vm', 'stopping', { pid: id.pid });
    await runPlan(vmStopPlan(ctx.config, opts.force), ctx);
    cleanAfterQemu(ctx.config);
    report(ctx, 'vm', 'stopped', { pid: id.pid, seconds: secondsSince(began) });
    return 'stopped';
  },
};

function sshOf(ctx: RunContext): string {
  return `${ctx.config.ssh.host}:${ctx.config.ssh.port}`;
}
