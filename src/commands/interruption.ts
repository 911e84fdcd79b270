// Ctrl-C and SIGTERM for the commands that wait, poll or follow until stopped (start/stop/restart,
// wait, status --watch, logs -f).
import { interrupted as interruptedBy } from '../errors.js';

/**
 * An AbortSignal for Ctrl-C and SIGTERM, and a promise that rejects with InterruptedError when it
 * fires (while waiting for `what`). The signal's reason is the signal that came, so every wait on
 * it ends with exit 130 for SIGINT and 143 for SIGTERM.
 */
export function interruption(what: string) {
  const abort = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => abort.abort(signal);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const interrupted = new Promise<never>((_, reject) =>
    abort.signal.addEventListener('abort', () => reject(interruptedBy(what, abort.signal))),
  );
  interrupted.catch(() => undefined);
  return {
    signal: abort.signal,
    interrupted,
    abort: () => abort.abort(),
    release: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
