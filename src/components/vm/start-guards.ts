// What a VM start refuses before anything is touched, whichever engine runs QEMU.
import net from 'node:net';
import type { Config } from '../../config/types.js';
import { OperationError } from '../../errors.js';
import { identify } from '../../io/process-identity.js';
import type { RunContext } from '../../run/run-context.js';
import { isAre, portsText } from '../port-words.js';
import { snabbnfvProcess } from '../snabbnfv/plan.js';

/** The ports whose snabbnfv backend is not running. */
export function backendsDown(config: Config): number[] {
  return config.snabbnfv.ports
    .filter((p) => identify(snabbnfvProcess(config, p)).state !== 'running')
    .map((p) => p.index);
}

export function refuseWithoutBackends(ctx: RunContext): void {
  const down = backendsDown(ctx.config);
  if (down.length)
    throw new OperationError(
      `snabbnfv ${portsText(down)} ${isAre(down)} not running: QEMU would block until a vhost-user backend ` +
        'connects to every socket',
      `start the backends first: lwaftrctl -f ${ctx.config.file} snabbnfv start (or all start)`,
    );
}

export async function refuseBusySshPort(ctx: RunContext): Promise<void> {
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
