// OpenSSH's options for the guest, from the config's SSH settings: one list for every place that
// hands the guest to the system's ssh (the ssh command, the dry run's lines and its script).
import type { GuestSsh } from '../config/types.js';

/** -p, the key (and only it), the known_hosts file and its checking; ConnectTimeout when given. */
export function sshOptionArgv(ssh: Omit<GuestSsh, 'connectTimeoutMs'> & { connectTimeoutMs?: number }): string[] {
  return [
    '-p',
    String(ssh.port),
    ...(ssh.identityFile ? ['-i', ssh.identityFile, '-o', 'IdentitiesOnly=yes'] : []),
    ...['-o', `UserKnownHostsFile=${ssh.knownHosts}`, '-o', `StrictHostKeyChecking=${ssh.hostKeyCheck}`],
    ...(ssh.connectTimeoutMs ? ['-o', `ConnectTimeout=${Math.ceil(ssh.connectTimeoutMs / 1000)}`] : []),
  ];
}
