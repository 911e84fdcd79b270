// vm: QEMU starts only once both backends run (it would block forever otherwise), is proven
// up through QMP and the guest's SSH banner, and is stopped gracefully, then by force.
import fs from 'node:fs';
import net from 'node:net';
import { OperationError } from '../errors.js';
import { qmpOnce } from '../exec/qmp-client.js';
import type { RunContext } from '../exec/run-context.js';
import { tailFile } from '../exec/tail-file.js';
import { snabbnfvProcess } from '../plan/snabbnfv-plan.js';
import { qemuProcess, vmStartPlan, vmStopPlan } from '../plan/vm-plan.js';
import { identify, removeStaleFiles } from '../state/process-identity.js';
import { type Component, runPlan } from './run-plan.js';

export const vm: Component = {
  async start(ctx) {
    const ref = qemuProcess(ctx.config);
    const id = identify(ref);
    if (id.state === 'running') {
      // Converge rather than trust: a start interrupted after QEMU launched left it paused.
      const status = await qmpOnce<{ status: string }>(ctx.paths.qmpSocket, 'query-status').catch(() => undefined);
      if (status?.status !== 'running') {
        ctx.reporter.info(
          `vm: QEMU (pid ${id.pid}) is up but ${status?.status ?? 'not answering QMP'}: finishing its start`,
        );
        const plan = vmStartPlan(ctx.config);
        await runPlan({ ...plan, steps: plan.steps.slice(plan.steps.findIndex((st) => st.kind === 'spawn') + 1) }, ctx);
        return 'started';
      }
      ctx.reporter.info(`vm: already running (pid ${id.pid})`);
      return 'already-running';
    }
    if (id.state === 'foreign') ctx.reporter.warn(`vm: ${id.reason}; its stale pid file is removed`);
    await refuseWithoutBackends(ctx);
    await refuseBusySshPort(ctx);
    await cleanAfterQemu(ctx);
    const began = Date.now();
    try {
      await runPlan(vmStartPlan(ctx.config), ctx);
    } catch (err) {
      await runPlan(vmStopPlan(ctx.config, true), ctx).catch(() => undefined);
      await cleanAfterQemu(ctx);
      if (err instanceof OperationError)
        err.detail ??=
          [tailFile(ctx.paths.qemuLog, 15, 'QEMU log'), tailFile(ctx.paths.consoleLog, 15, 'guest console')]
            .filter(Boolean)
            .join('\n') || undefined;
      throw err;
    }
    const now = identify(ref);
    ctx.reporter.info(
      `vm: running (pid ${now.state === 'running' ? now.pid : '?'}), guest SSH up after ${((Date.now() - began) / 1000).toFixed(1)}s on ${ctx.config.ssh.host}:${ctx.config.ssh.port}`,
    );
    return 'started';
  },

  async stop(ctx, opts) {
    const ref = qemuProcess(ctx.config);
    const id = identify(ref);
    if (id.state !== 'running') {
      if (id.state === 'foreign') ctx.reporter.warn(`vm: ${id.reason}; left alone`);
      await cleanAfterQemu(ctx);
      ctx.reporter.info('vm: already stopped');
      return 'already-stopped';
    }
    await runPlan(vmStopPlan(ctx.config, opts.force), ctx);
    await cleanAfterQemu(ctx);
    ctx.reporter.info('vm: stopped');
    return 'stopped';
  },
};

async function refuseWithoutBackends(ctx: RunContext): Promise<void> {
  const down = ctx.config.snabbnfv.ports.filter((p) => identify(snabbnfvProcess(ctx.config, p)).state !== 'running');
  if (down.length)
    throw new OperationError(
      `snabbnfv port ${down.map((p) => p.index).join(' and ')} is not running: QEMU would block until a vhost-user backend connects to every socket`,
      `start the backends first: lwaftrctl -f ${ctx.config.file} snabbnfv start (or all start)`,
    );
}

async function refuseBusySshPort(ctx: RunContext): Promise<void> {
  const mgmt = ctx.config.vm.mgmt;
  if (mgmt.kind !== 'user') return;
  const free = await new Promise<boolean>((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(mgmt.sshPort, '127.0.0.1', () => server.close(() => resolve(true)));
  });
  if (!free)
    throw new OperationError(
      `127.0.0.1:${mgmt.sshPort} (VM_SSH_PORT) is already in use by another program`,
      'pick a free port for VM_SSH_PORT (ss -ltn lists the ones in use)',
    );
}

/** After QEMU is proven gone: its pid file, QMP socket and the vhost-user sockets nobody listens on. */
async function cleanAfterQemu(ctx: RunContext): Promise<void> {
  const ref = qemuProcess(ctx.config);
  if (identify(ref).state === 'running') return;
  removeStaleFiles(ref);
  for (const socket of [ctx.paths.qmpSocket, ...ctx.config.snabbnfv.ports.map((p) => p.socket)])
    if (await isStaleSocket(socket)) fs.rmSync(socket, { force: true });
}

/** A socket file is stale when nobody listens on it (read from /proc/net/unix, without connecting). */
async function isStaleSocket(path: string): Promise<boolean> {
  if (!fs.existsSync(path)) return false;
  const listening = fs
    .readFileSync('/proc/net/unix', 'utf8')
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    // Flags 00010000: __SO_ACCEPTCON, a listening socket.
    .some((f) => f[7] === path && f[3] === '00010000');
  return !listening;
}
