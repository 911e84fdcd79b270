// Options every command accepts, and the config loading they share.
import { type Loaded, loadConfig } from '../config/load-config.js';
import { formatProblem } from '../errors.js';

export interface GlobalOptions {
  file?: string;
  dryRun?: boolean;
  json?: boolean;
  verbose?: boolean;
  quiet?: boolean;
  force?: boolean;
}

export function loadForCommand(opts: GlobalOptions): Loaded {
  return loadConfig({
    file: opts.file,
    cwd: process.cwd(),
    env: process.env,
    hostChecksAreWarnings: opts.dryRun === true,
  });
}

/** The config's warnings on stderr, for commands that have no event stream. */
export function printConfigWarnings(loaded: Loaded, opts: GlobalOptions): void {
  if (opts.quiet || opts.json) return;
  for (const w of loaded.config.warnings) process.stderr.write(`lwaftrctl: warning: ${formatProblem(w)}\n`);
}

export function hostWarningLines(loaded: Loaded): string[] {
  return loaded.hostWarnings.map((p) => `# warning: a real run would refuse this: ${formatProblem(p)}`);
}
