// Hands the terminal to another program (ssh, telnet, screen) until it exits, and returns its
// exit code. Node cannot exec(3) itself away, so it waits: Ctrl-C reaches the program from the
// terminal and is ignored here; SIGTERM and SIGHUP sent to lwaftrctl are passed on to it.
// node:child_process, not execa: nothing is captured, the program has the terminal to itself.
import { spawn } from 'node:child_process';
import os from 'node:os';
import { OperationError } from '../errors.js';
import { quoteArgv } from '../shell/quote.js';

const PASSED_ON = ['SIGTERM', 'SIGHUP'] as const;

/** `hint`: how to install the program when it is missing. */
export function runInteractive(argv: readonly string[], hint: string): Promise<number> {
  const [file, ...args] = argv;
  return new Promise((resolve, reject) => {
    const child = spawn(file!, args, { stdio: 'inherit' });
    const ignore = () => undefined;
    const passOn = (signal: NodeJS.Signals) => child.kill(signal);
    process.on('SIGINT', ignore);
    for (const s of PASSED_ON) process.on(s, passOn);
    const done = () => {
      process.off('SIGINT', ignore);
      for (const s of PASSED_ON) process.off(s, passOn);
    };
    child.on('error', (err: NodeJS.ErrnoException) => {
      done();
      reject(
        err.code === 'ENOENT'
          ? new OperationError(`${file} is not installed or not on PATH`, hint)
          : new OperationError(`cannot run ${quoteArgv(argv)}: ${err.message}`),
      );
    });
    child.on('exit', (code, signal) => {
      done();
      resolve(code ?? 128 + (signal ? os.constants.signals[signal] : 0));
    });
  });
}
