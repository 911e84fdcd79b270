// What a command reports to scripts: with --json, exactly one JSON document per run, whatever
// the exit path (success, failure, config problems, usage errors, crashes). Commands fill it in;
// cli.ts finishes and prints it. Its shapes are in schemas/ and documented in the README.
import type { Config } from '../config/types.js';
import { ConfigError, type ConfigProblem, OperationError, UsageError } from '../errors.js';

/** Bumped only when a key changes meaning or goes away; new keys may come at any time. */
export const SCHEMA_VERSION = 1;

export interface Problem {
  severity: 'error' | 'warning';
  file: string | null;
  line: number | null;
  key: string | null;
  message: string;
  fix: string | null;
}

export interface ResultDocument {
  schemaVersion: typeof SCHEMA_VERSION;
  command: string | null;
  ok: boolean;
  exitCode: number;
  instance: string | null;
  config: string | null;
  problems: Problem[];
  [field: string]: unknown;
}

export class Report {
  command: string | null = null;
  /** The tool's own log of this run, once known, for error messages. */
  logFile?: string;
  private instance: string | null = null;
  private config: string | null = null;
  private readonly problems: Problem[] = [];
  private fields: Record<string, unknown> = {};

  /** The command's own keys, present in every outcome (null where unknown). */
  expect(command: string, fields: Record<string, unknown>): void {
    this.command = command;
    this.fields = { ...fields, ...this.fields };
  }

  set(fields: Record<string, unknown>): void {
    Object.assign(this.fields, fields);
  }

  forConfig(config: Config): void {
    this.instance = config.name;
    this.config = config.file;
    for (const w of config.warnings) this.warn(w);
  }

  warn(p: ConfigProblem): void {
    this.problems.push(problemOf(p, 'warning'));
  }

  document(exitCode: number, error?: unknown): ResultDocument {
    return {
      schemaVersion: SCHEMA_VERSION,
      command: this.command,
      ok: exitCode === 0,
      exitCode,
      instance: this.instance,
      config: this.config,
      problems: [...this.problems, ...(error === undefined ? [] : problemsOfError(error))],
      ...this.fields,
    };
  }
}

export function problemOf(p: ConfigProblem, severity: Problem['severity']): Problem {
  return { severity, file: p.file, line: p.line ?? null, key: p.key ?? null, message: p.message, fix: p.fix ?? null };
}

/** An error as problems: each of a config's, or one with the error's fix. */
export function problemsOfError(err: unknown): Problem[] {
  if (err instanceof ConfigError) return err.problems.map((p) => problemOf(p, 'error'));
  const message = err instanceof Error ? err.message : String(err);
  const usage = err instanceof UsageError ? 'lwaftrctl --help' : null;
  const fix = err instanceof OperationError ? (err.hint ?? null) : usage;
  return [{ severity: 'error', file: null, line: null, key: null, message, fix }];
}
