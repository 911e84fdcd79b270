// backend <port>: one snabbnfv backend, started detached without screen for a service manager
// (systemd's lwaftr-snabbnfv@.service runs it as ExecStart, Type=forking, PIDFile= its pid file).
// The pid file and identity record are the ones `snabbnfv start` writes, so `vm start`, `status`
// and `snabbnfv stop` see a backend systemd runs as one of their own. No doctor gate here (its
// host checks ask for screen, which this does not use): run `doctor` before enabling the units.
import type { StartResult } from '../components/controller.js';
import { snabbnfvProcess } from '../components/snabbnfv/plan.js';
import { snabbnfvServicePlan } from '../components/snabbnfv/service-plan.js';
import type { PortIndex } from '../config/types.js';
import { acquireLock, type HeldLock } from '../io/instance-lock.js';
import { identify } from '../io/process-identity.js';
import { instancePaths } from '../plan/instance-paths.js';
import type { ComponentResult } from '../run/events.js';
import { createRunContext } from '../run/run-context.js';
import { runPlan } from '../run/run-plan.js';
import type { CommandContext } from './command-context.js';
import { loadForCommand } from './global-options.js';
import { runEvents } from './run-events.js';

export async function backendCommand(index: PortIndex, cx: CommandContext): Promise<number> {
  const { options, report } = cx;
  const results: ComponentResult[] = [];
  report.expect('start', { component: 'snabbnfv', action: 'start', results });
  const config = loadForCommand(options);
  report.forConfig(config);
  const paths = instancePaths(config);
  report.logFile = paths.toolLog;
  const events = runEvents(config, cx);
  const ctx = createRunContext(config, events, new AbortController().signal);
  const port = config.snabbnfv.ports[index - 1]!;
  const began = Date.now();
  let lock: HeldLock | undefined;
  try {
    lock = await acquireLock(paths.lock, { timeoutMs: config.timeouts.lockMs, instance: config.name });
    let result: StartResult = 'already-running';
    if (identify(snabbnfvProcess(config, port)).state !== 'running') {
      events.emit({ type: 'component', component: 'snabbnfv', phase: 'starting', facts: { port: index } });
      await runPlan(snabbnfvServicePlan(config, port), ctx);
      result = 'started';
    }
    const pid = identify(snabbnfvProcess(config, port));
    events.emit({
      type: 'component',
      component: 'snabbnfv',
      phase: result,
      facts: { port: index, pid: pid.state === 'running' ? pid.pid : undefined, log: paths.snabbnfv[index].log },
    });
    results.push({ component: 'snabbnfv', action: 'start', result, seconds: (Date.now() - began) / 1000 });
    return 0;
  } finally {
    lock?.release();
    ctx.close();
  }
}
