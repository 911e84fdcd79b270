// One snabbnfv backend started for a service manager (`lwaftrctl backend <port>`, the ExecStart of
// the systemd unit lwaftr-snabbnfv@.service, Type=forking): the same command line, pid file and
// identity record as `snabbnfv start` makes, without screen; done once it prints its first load
// report, so that systemd orders the VM after a backend that runs.
import path from 'node:path';
import type { Config, NfvPort } from '../../config/types.js';
import { instancePaths } from '../../plan/instance-paths.js';
import type { ComponentPlan } from '../../plan/steps.js';
import { SNABBNFV_RUNNING_LINE, snabbnfvArgv, snabbnfvProcess } from './plan.js';

export function snabbnfvServicePlan(config: Config, port: NfvPort): ComponentPlan {
  const p = instancePaths(config).snabbnfv[port.index];
  const process = snabbnfvProcess(config, port);
  return {
    component: 'snabbnfv',
    action: 'start',
    steps: [
      { kind: 'mkdir', path: config.stateDir },
      { kind: 'rotate-log', path: p.log },
      {
        kind: 'spawn',
        argv: snabbnfvArgv(config, port),
        cwd: path.join(config.snabbPath, 'src'),
        log: p.log,
        process,
        note: `port ${port.index}: ${port.pci} <-> ${port.socket}; its supervisor (systemd) reads ${p.pidFile}`,
      },
      {
        kind: 'wait',
        for: { kind: 'log-line', file: p.log, text: SNABBNFV_RUNNING_LINE, process },
        timeoutMs: config.timeouts.snabbnfvStartMs,
      },
    ],
  };
}
