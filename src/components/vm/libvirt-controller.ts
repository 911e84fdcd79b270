// vm under libvirt (VM_ENGINE=libvirt): the domain is this instance's only when its <metadata>
// names this instance's state folder; lwaftrctl never shuts down, destroys or undefines another.
import { OperationError, TimeoutError } from '../../errors.js';
import { identify } from '../../io/process-identity.js';
import { tailFile } from '../../io/tail-file.js';
import type { RunContext } from '../../run/run-context.js';
import { runPlan } from '../../run/run-plan.js';
import { quoteArgv } from '../../shell/quote.js';
import { type Controller, report, secondsSince, warn } from '../controller.js';
import {
  libvirtFinishStartSteps,
  libvirtQemuLog,
  libvirtQemuProcess,
  libvirtStartPlan,
  libvirtStopPlan,
} from './libvirt-plan.js';
import { removeStaleSockets } from './sockets.js';
import { refuseBusySshPort, refuseWithoutBackends } from './start-guards.js';
import { type DomainState, domainOwnerStateDir, domainState, LIBVIRT_URI, virshArgv } from './virsh.js';

type Found = { state: DomainState; ours: true } | { state: DomainState; ours: false; why: string } | undefined;

/** The domain of this instance's NAME, and whether this instance defined it. */
export async function findDomain(ctx: RunContext): Promise<Found> {
  const state = await domainState(ctx.config.name);
  if (!state) return undefined;
  const owner = await domainOwnerStateDir(ctx.config.name);
  if (owner === ctx.config.stateDir) return { state, ours: true };
  const why = owner ? `it belongs to the lwaftrctl instance in ${owner}` : 'lwaftrctl did not define it';
  return { state, ours: false, why };
}

export const libvirtVm: Controller = {
  async start(ctx) {
    const name = ctx.config.name;
    const found = await findDomain(ctx);
    if (found && !found.ours)
      throw new OperationError(
        `libvirt already has a domain named ${name} (${found.state.state}) and ${found.why}`,
        `give this instance another NAME, or find out whose it is: virsh -c ${LIBVIRT_URI} dumpxml ${name}`,
      );
    const pid = () => {
      const id = identify(libvirtQemuProcess(ctx.config));
      return id.state === 'running' ? id.pid : undefined;
    };
    if (found?.state.state === 'running') {
      report(ctx, 'vm', 'already-running', { pid: pid() });
      return 'already-running';
    }
    const began = Date.now();
    if (found?.state.state === 'paused') {
      // Converge rather than trust: a start interrupted after launch left the domain paused.
      report(ctx, 'vm', 'resuming', { pid: pid(), reason: `domain ${found.state.state} (${found.state.reason})` });
      await startOrUndo(ctx, { component: 'vm', action: 'start', steps: libvirtFinishStartSteps(ctx.config) });
    } else {
      refuseWithoutBackends(ctx);
      await refuseBusySshPort(ctx);
      report(ctx, 'vm', 'starting');
      await startOrUndo(ctx, libvirtStartPlan(ctx.config));
    }
    report(ctx, 'vm', 'started', {
      pid: pid(),
      ssh: `${ctx.config.ssh.host}:${ctx.config.ssh.port}`,
      seconds: secondsSince(began),
    });
    return 'started';
  },

  async stop(ctx, opts) {
    // The guest's SSH goes with the guest: drop it now (this run's and the instance's kept-open
    // one) rather than wait on a peer that powered off.
    await ctx.guest().close();
    const found = await findDomain(ctx);
    if (!found?.ours) {
      if (found) warn(ctx, 'vm', `libvirt domain ${ctx.config.name} left alone: ${found.why}`);
      report(ctx, 'vm', 'already-stopped');
      return 'already-stopped';
    }
    const began = Date.now();
    const running = found.state.state !== 'shut off';
    report(ctx, 'vm', running ? 'stopping' : 'already-stopped', { reason: `domain ${found.state.state}` });
    // A paused guest cannot take the ACPI button: destroy it at once.
    await runPlan(libvirtStopPlan(ctx.config, opts.force || found.state.state === 'paused'), ctx);
    removeStaleSockets(ctx.config.snabbnfv.ports.map((p) => p.socket));
    if (!running) return 'already-stopped';
    report(ctx, 'vm', 'stopped', { seconds: secondsSince(began) });
    return 'stopped';
  },
};

/** A start that fails leaves nothing: the domain is destroyed and undefined, the logs' tails shown. */
async function startOrUndo(ctx: RunContext, plan: Parameters<typeof runPlan>[0]): Promise<void> {
  try {
    await runPlan(plan, ctx);
  } catch (err) {
    await runPlan(libvirtStopPlan(ctx.config, true), ctx).catch(() => undefined);
    // A QEMU ended while it waited for a backend leaves the sockets it bound.
    removeStaleSockets(ctx.config.snabbnfv.ports.map((p) => p.socket));
    if (!(err instanceof OperationError)) throw err;
    const detail =
      err.detail ||
      [
        tailFile(libvirtQemuLog(ctx.config), 15, 'QEMU log (libvirt)'),
        tailFile(ctx.paths.consoleLog, 15, 'guest console'),
      ]
        .filter(Boolean)
        .join('\n') ||
      undefined;
    // virsh start past its deadline: QEMU was waiting for a vhost-user backend to connect.
    const launch = quoteArgv(virshArgv('start', '--paused', ctx.config.name));
    if (err instanceof TimeoutError && err.message.startsWith(launch))
      throw new TimeoutError(
        `${err.message}: QEMU still waited for a vhost-user backend to connect`,
        `check the backends (lwaftrctl -f ${ctx.config.file} status snabbnfv, ${ctx.paths.snabbnfv[1].log}); ` +
          'raise TIMEOUT_VM_START if the host is just slow',
        detail,
      );
    err.detail = detail;
    throw err;
  }
}
