// Which doctor checks gate which start: a component's own checks and the host's, run before
// anything starts. Stop and status never run them: they need only the config and the state folder.

import { qemuProcess } from '../components/vm/plan.js';
import type { Config } from '../config/types.js';
import type { ConfigProblem } from '../errors.js';
import { identify } from '../io/process-identity.js';
import type { SingleComponent } from '../plan/component-names.js';
import { createHostView } from './host-view.js';
import { runDoctor } from './run-doctor.js';
import type { CheckResult } from './types.js';

export interface Preflight {
  /** What a start must refuse. */
  failures: ConfigProblem[];
  warnings: ConfigProblem[];
}

export async function preflight(config: Config, starting: SingleComponent[]): Promise<Preflight> {
  if (starting.length === 0) return { failures: [], warnings: [] };
  const vmRunning = identify(qemuProcess(config)).state === 'running';
  const results = await runDoctor(config, createHostView({}), { vmRunning });
  const mine = results.filter((r) => r.component === 'host' || starting.includes(r.component));
  const problem = (r: CheckResult): ConfigProblem => ({
    file: config.file,
    line: r.key ? config.sources[keyOf(config, r.key)]?.line : undefined,
    key: r.key,
    message: `${r.title}: ${r.message}`,
    fix: r.fix,
  });
  // In the order of the file, as the config's own problems are.
  const inFileOrder = (state: string) =>
    mine
      .filter((r) => r.state === state)
      .map(problem)
      .sort((a, b) => (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER));
  return { failures: inFileOrder('fail'), warnings: inFileOrder('warn') };
}

/** The key's preferred name, from the name the file wrote it under. */
function keyOf(config: Config, writtenAs: string): string {
  return Object.entries(config.sources).find(([, s]) => s.writtenAs === writtenAs)?.[0] ?? writtenAs;
}
