// What every step of one lwaftrctl run shares: config, paths, where events go, one SSH
// connection to the guest, and the signal that Ctrl-C aborts.
import type { Config } from '../config/types.js';
import { GuestSsh, sshTargetOf } from '../io/guest-ssh.js';
import { type InstancePaths, instancePaths } from '../plan/instance-paths.js';
import type { EventSink } from './events.js';

export interface RunContext {
  config: Config;
  paths: InstancePaths;
  events: EventSink;
  signal: AbortSignal;
  guest(): GuestSsh;
  close(): void;
}

export function createRunContext(
  config: Config,
  events: EventSink,
  signal: AbortSignal,
  sshConnectTimeoutMs = config.timeouts.sshConnectMs,
): RunContext {
  let ssh: GuestSsh | undefined;
  return {
    config,
    paths: instancePaths(config),
    events,
    signal,
    guest: () => {
      ssh ??= new GuestSsh(sshTargetOf(config.ssh), sshConnectTimeoutMs);
      return ssh;
    },
    close: () => ssh?.close(),
  };
}
