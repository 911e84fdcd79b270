// What every step of one lwaftrctl run shares: config, paths, where events go, the guest (through
// the instance's kept-open SSH connection, or one of its own), and the signal that Ctrl-C aborts.
import type { Config } from '../config/types.js';
import { GuestLink } from '../io/guest-link.js';
import { muxFiles } from '../io/guest-mux.js';
import { sshTargetOf } from '../io/guest-ssh.js';
import { type InstancePaths, instancePaths } from '../plan/instance-paths.js';
import type { EventSink } from './events.js';

export interface RunContext {
  config: Config;
  paths: InstancePaths;
  events: EventSink;
  signal: AbortSignal;
  guest(): GuestLink;
  /** The end of the run: see GuestLink.release. */
  close(): void;
}

export function createRunContext(
  config: Config,
  events: EventSink,
  signal: AbortSignal,
  sshConnectTimeoutMs = config.timeouts.sshConnectMs,
): RunContext {
  let guest: GuestLink | undefined;
  return {
    config,
    paths: instancePaths(config),
    events,
    signal,
    guest: () => {
      guest ??= new GuestLink(sshTargetOf(config.ssh), sshConnectTimeoutMs, muxFiles(config.stateDir));
      return guest;
    },
    close: () => guest?.release(),
  };
}
