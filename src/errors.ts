// Every error the tool raises on purpose. cli.ts alone turns them into exit codes.

export interface ConfigProblem {
  file: string;
  line?: number;
  key?: string;
  message: string;
  /** The command or edit that fixes it. */
  fix?: string;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

/** One error for every problem found in a config file, so the operator fixes them all in one go. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    readonly problems: ConfigProblem[],
    /** A line before the problems, when they are not the file's own (the host's, found by the doctor). */
    headline?: string,
  ) {
    super([...(headline ? [headline] : []), ...problems.map(formatProblem)].join('\n'));
  }
}

/** Something the tool tried to do failed; `hint` says how to fix it, `detail` carries log tails. */
export class OperationError extends Error {
  override name = 'OperationError';
  constructor(
    message: string,
    readonly hint?: string,
    /** Log tails; a caller that knows more may fill it in later. */
    public detail?: string,
  ) {
    super(message);
  }
}

export class TimeoutError extends OperationError {
  override name = 'TimeoutError';
}

/** Not allowed as this user: lwaftrctl needs root for what it was asked (exit 4). */
export class NotRootError extends OperationError {
  override name = 'NotRootError';
}

/** The errors Node raises when the user may not do something (open, mkdir, kill, ...). */
export function isPermissionError(err: unknown): err is NodeJS.ErrnoException {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EACCES' || code === 'EPERM';
}

/** Another lwaftrctl holds the instance lock. */
export class BusyError extends OperationError {
  override name = 'BusyError';
}

/** Ctrl-C (SIGINT) or SIGTERM arrived: exit 130 or 143, as a shell reports a signalled program. */
export class InterruptedError extends OperationError {
  override name = 'InterruptedError';
  constructor(
    message: string,
    readonly signal: 'SIGINT' | 'SIGTERM' = 'SIGINT',
  ) {
    super(message);
  }
}

/** The interruption of a wait on `what`, by the signal that aborted it. */
export function interrupted(what: string, signal?: AbortSignal): InterruptedError {
  const by = signal?.reason === 'SIGTERM' ? 'SIGTERM' : 'SIGINT';
  return new InterruptedError(`interrupted (${by}) while waiting for ${what}`, by);
}

export function formatProblem(p: ConfigProblem): string {
  const where = p.line === undefined ? p.file : `${p.file}:${p.line}`;
  const text = p.key ? `${where}: ${p.key}: ${p.message}` : `${where}: ${p.message}`;
  return p.fix ? `${text}\n  fix: ${p.fix}` : text;
}

/** Stable exit codes (documented in README.md); scripts depend on them. */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  notRoot: 4,
  config: 6,
  busy: 75,
  timeout: 124,
  interrupted: 130,
  terminated: 143,
} as const;

/** LSB exit codes of `status`. */
export const STATUS_EXIT = {
  running: 0,
  deadWithPidFile: 1,
  stopped: 3,
  unknown: 4,
} as const;

export function exitCodeFor(err: unknown): number {
  if (err instanceof UsageError) return EXIT.usage;
  if (err instanceof NotRootError) return EXIT.notRoot;
  if (err instanceof ConfigError) return EXIT.config;
  if (err instanceof BusyError) return EXIT.busy;
  if (err instanceof TimeoutError) return EXIT.timeout;
  if (err instanceof InterruptedError) return err.signal === 'SIGTERM' ? EXIT.terminated : EXIT.interrupted;
  return EXIT.failed;
}
