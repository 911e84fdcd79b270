// ssh: the system's ssh client with the config's user, key, port and known_hosts, for a shell in
// the guest or one command (after --), whose exit code becomes lwaftrctl's.
import { qemuProcess } from '../components/vm/plan.js';
import type { GuestSsh } from '../config/types.js';
import { OperationError } from '../errors.js';
import { runInteractive } from '../io/interactive.js';
import { identify } from '../io/process-identity.js';
import { quoteRemoteArgv } from '../shell/quote.js';
import { sshOptionArgv } from '../shell/ssh-options.js';
import type { CommandContext } from './command-context.js';
import { loadForCommand, printConfigWarnings } from './global-options.js';

export async function sshCommand(command: string[], { options, report }: CommandContext): Promise<number> {
  report.expect('ssh', {});
  const config = loadForCommand(options);
  report.forConfig(config);
  printConfigWarnings(config, options);
  if (identify(qemuProcess(config)).state !== 'running')
    throw new OperationError(
      `the VM of instance ${config.name} is not running: no guest to log into`,
      `lwaftrctl -f ${config.file} vm start`,
    );
  return runInteractive(sshArgv(config.ssh, command, options.verbose), 'apt-get install openssh-client');
}

/**
 * Pure: the ssh command line. The remote command is quoted once, with POSIX single quotes, so the
 * guest's shell sees exactly these words; `--` ends ssh's options before the destination, so
 * nothing after it is read as one.
 */
export function sshArgv(ssh: GuestSsh, command: readonly string[], verbose = false): string[] {
  return [
    'ssh',
    ...sshOptionArgv(ssh),
    ...(verbose ? ['-v'] : []),
    '--',
    `${ssh.user}@${ssh.host}`,
    ...(command.length ? [quoteRemoteArgv(command)] : []),
  ];
}
