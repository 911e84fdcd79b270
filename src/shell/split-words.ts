// Splits a string into words the way a POSIX shell would (quotes, backslashes), without
// running anything. The text is already expanded, so `$` is literal; shell operators are
// refused, since no shell will ever see them and the operator surely meant one to.

export class SplitError extends Error {}

/** `home`: expand an unquoted `~` that starts a word, as the shell would; without it `~` is refused. */
export function splitWords(text: string, home?: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  const flush = () => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
  };
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n') {
      flush();
      i++;
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new SplitError('a single quote is never closed');
      word += text.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      i++;
      inWord = true;
      for (;;) {
        if (i >= text.length) throw new SplitError('a double quote is never closed');
        const d = text[i]!;
        if (d === '"') break;
        if (d === '\\' && text[i + 1] === '\n') {
          i += 2; // a line continuation, as in a shell
          continue;
        }
        if (d === '\\' && i + 1 < text.length && '"\\$`'.includes(text[i + 1]!)) {
          word += text[i + 1];
          i += 2;
          continue;
        }
        word += d;
        i++;
      }
      i++;
    } else if (
      c === '~' &&
      !inWord &&
      home !== undefined &&
      (i + 1 === text.length || ' \t\n/'.includes(text[i + 1]!))
    ) {
      word += home;
      inWord = true;
      i++;
    } else if (c === '\\' && text[i + 1] === '\n') {
      i += 2; // a line continuation, as in a shell: joins the lines, no word of its own
    } else if (c === '\\') {
      if (i + 1 >= text.length) throw new SplitError('a backslash ends the text');
      word += text[i + 1];
      inWord = true;
      i += 2;
    } else if (';&|<>()'.includes(c) || (!inWord && '#~'.includes(c))) {
      throw new SplitError(
        `unquoted "${c}" would mean something to a shell; lwaftrctl runs no shell here, ` +
          `so quote it ('${c}') or leave it out`,
      );
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  flush();
  return words;
}
