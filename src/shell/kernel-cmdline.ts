// The kernel's command line from words: a word with spaces is quoted the way the kernel reads
// it (param="a b"), so that KERNEL_PARAMS keeps the quoting the operator wrote.

/** COMMAND_LINE_SIZE on x86, less its NUL. */
export const KERNEL_CMDLINE_MAX = 2047;

export function joinKernelParams(words: readonly string[]): string {
  return words.map(quoteKernelWord).join(' ');
}

function quoteKernelWord(word: string): string {
  if (!/\s/.test(word)) return word;
  const eq = word.indexOf('=');
  return eq > 0 && !/\s/.test(word.slice(0, eq)) ? `${word.slice(0, eq + 1)}"${word.slice(eq + 1)}"` : `"${word}"`;
}
