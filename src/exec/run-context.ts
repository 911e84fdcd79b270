// What every step of one lwaftrctl run shares: config, paths, the tool's log, the terminal,
// one SSH connection to the guest, and the Ctrl-C signal.
import fs from 'node:fs';
import { pino } from 'pino';
import type { Config } from '../config/types.js';
import { type InstancePaths, instancePaths } from '../plan/instance-paths.js';
import { sshTarget } from '../plan/lwaftr-plan.js';
import { GuestSsh } from './guest-ssh.js';
import type { Reporter } from './reporter.js';
import type { StepLog } from './step-log.js';

export interface RunContext {
  config: Config;
  paths: InstancePaths;
  log: StepLog;
  reporter: Reporter;
  signal: AbortSignal;
  guest(): GuestSsh;
  close(): void;
}

export function createRunContext(config: Config, reporter: Reporter, signal: AbortSignal): RunContext {
  const paths = instancePaths(config);
  fs.mkdirSync(paths.stateDir, { recursive: true, mode: 0o755 });
  // Synchronous writes: the log must hold the last step even when lwaftrctl is killed.
  const log = pino(
    { base: { instance: config.name, pid: process.pid } },
    pino.destination({ dest: paths.toolLog, sync: true, append: true }),
  );
  let ssh: GuestSsh | undefined;
  return {
    config,
    paths,
    log,
    reporter,
    signal,
    guest: () => (ssh ??= new GuestSsh(sshTarget(config), config.timeouts.sshConnectMs)),
    close: () => ssh?.close(),
  };
}
