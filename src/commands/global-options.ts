// Options every command accepts, and the config loading they share.
import { loadConfig } from '../config/load-config.js';
import type { Config } from '../config/types.js';
import { formatProblem } from '../errors.js';

export interface GlobalOptions {
  file?: string;
  dryRun?: boolean;
  json?: boolean;
  verbose?: boolean;
  quiet?: boolean;
  force?: boolean;
  /** --events: NDJSON on stdout (true) or into a file. */
  events?: true | string;
}

export function loadForCommand(opts: GlobalOptions): Config {
  return loadConfig({ file: opts.file, cwd: process.cwd(), env: process.env });
}

/** The config's warnings on stderr, for commands that have no event stream. */
export function printConfigWarnings(config: Config, opts: GlobalOptions): void {
  if (opts.quiet) return;
  for (const w of config.warnings) process.stderr.write(`lwaftrctl: warning: ${formatProblem(w)}\n`);
}

/** Where lines for people go: stdout, unless stdout carries JSON or events. */
export function humanStream(opts: GlobalOptions): NodeJS.WriteStream {
  return opts.json || opts.events === true ? process.stderr : process.stdout;
}
