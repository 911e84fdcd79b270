// Local programs, always as argv (execa, no shell).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { OperationError } from '../errors.js';
import { quoteArgv } from '../shell/quote.js';
import { installHint } from './debian-packages.js';

/** spawn's ENOENT: the program, or the folder it was to run in (spawn blames the program for both). */
export function notFound(file: string, cwd?: string): OperationError {
  if (cwd && !fs.existsSync(cwd))
    return new OperationError(
      `cannot run ${file}: the folder it runs in, ${cwd}, does not exist`,
      'check the setting that names it: SNABB_PATH (snabbnfv runs in its src/) or VM_DIR (QEMU runs there)',
    );
  return new OperationError(`${file} is not installed or not on PATH`, installHint(file));
}

export async function runLocal(argv: string[], cwd?: string): Promise<string> {
  // Loaded on first use: it takes ~170 ms, and many runs start no local program at all.
  const { execa } = await import('execa');
  const [file, ...args] = argv;
  const r = await execa(file!, args, { cwd, reject: false, stdin: 'ignore', all: true });
  if (r.failed && (r.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') throw notFound(file!, cwd);
  if (r.failed) {
    const why = r.exitCode === undefined ? (r.originalMessage ?? r.shortMessage) : `exit ${r.exitCode}`;
    throw new OperationError(`${quoteArgv(argv)} failed (${why})`, undefined, r.all?.trim() || undefined);
  }
  return r.stdout;
}

/** Starts a long-running program in its own session, output appended to log; returns its pid. */
export function spawnDetached(argv: string[], log: string, cwd?: string): number {
  const [file, ...args] = argv;
  // Node's spawn with a file descriptor, not execa: execa copies output through this
  // process, which exits long before the program does.
  const out = fs.openSync(log, 'a');
  try {
    const child = spawn(file!, args, { cwd, detached: true, stdio: ['ignore', out, out] });
    // Its exit is observed through /proc and its pid file, not through this handle.
    child.on('error', () => undefined);
    child.unref();
    if (child.pid === undefined)
      throw new OperationError(`${file} is not installed or not on PATH`, installHint(file!));
    return child.pid;
  } finally {
    fs.closeSync(out);
  }
}
