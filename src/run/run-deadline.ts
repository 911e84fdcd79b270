// A program that must finish within a deadline (virsh start, which waits for ever on a missing
// backend): ended with TERM when the deadline passes, and the run fails as a timeout (exit 124).
import { OperationError, TimeoutError } from '../errors.js';
import { notFound } from '../io/local.js';
import { quoteArgv } from '../shell/quote.js';

export async function runWithDeadline(argv: string[], timeoutMs: number, cwd?: string): Promise<string> {
  const { execa } = await import('execa');
  const [file, ...args] = argv;
  const r = await execa(file!, args, { cwd, reject: false, stdin: 'ignore', all: true, timeout: timeoutMs });
  if ((r.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') throw notFound(file!, cwd);
  if (r.timedOut)
    throw new TimeoutError(
      `${quoteArgv(argv)} did not finish within ${timeoutMs / 1000}s`,
      undefined,
      r.all?.trim() || undefined,
    );
  if (r.failed)
    throw new OperationError(`${quoteArgv(argv)} failed (exit ${r.exitCode})`, undefined, r.all?.trim() || undefined);
  return r.stdout;
}
