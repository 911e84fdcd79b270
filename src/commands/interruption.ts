// Ctrl-C and SIGTERM for the commands that poll or follow until stopped (wait, status --watch, logs -f).
import { InterruptedError } from '../errors.js';

/** An AbortSignal for Ctrl-C and SIGTERM, and a promise that rejects with InterruptedError when it fires. */
export function interruption(what: string) {
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const interrupted = new Promise<never>((_, reject) =>
    abort.signal.addEventListener('abort', () => reject(new InterruptedError(`interrupted while ${what}`))),
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
