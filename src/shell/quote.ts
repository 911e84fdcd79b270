// POSIX single-quote quoting: the one place where argv becomes shell text
// (dry-run lines, and commands sent to the guest over SSH).

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

export function quoteArg(arg: string): string {
  if (SAFE.test(arg)) return arg;
  return `'${arg.replace(/'/g, "'\\''")}'`;
}

export function quoteArgv(argv: readonly string[]): string {
  return argv.map(quoteArg).join(' ');
}

/**
 * Like quoteArgv for a command run in the guest, where a leading `~/` is left unquoted
 * so that the guest shell expands it to the remote user's home (the bash tool's `~/run_lwaftr.sh`).
 */
export function quoteRemoteArgv(argv: readonly string[]): string {
  return argv.map((a) => (a.startsWith('~/') && a.length > 2 ? `~/${quoteArg(a.slice(2))}` : quoteArg(a))).join(' ');
}
