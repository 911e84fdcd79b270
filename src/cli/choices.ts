// A word of the command line that must be one of a list (a component, an action, a state, an
// engine, a port...): one check and one message for all, from the list itself.
import { UsageError } from '../errors.js';
import { closest } from '../util/did-you-mean.js';

/**
 * `word` when it is one of `choices`; else a usage error that lists them, with the likely typo
 * unless `guess` is false (one-character values, where any other is "close").
 */
export function choice<T extends string>(word: string, what: string, choices: readonly T[], guess = true): T {
  if ((choices as readonly string[]).includes(word)) return word as T;
  const likely = guess ? closest(word, choices) : undefined;
  const plural = what.endsWith('s') ? `${what}es` : `${what}s`;
  throw new UsageError(
    `unknown ${what} "${word}"${likely ? ` (did you mean ${likely}?)` : ''}; ${plural}: ${choices.join(', ')}`,
  );
}
