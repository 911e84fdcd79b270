// Human lines on the terminal: progress as a live line on a TTY, plain lines otherwise.
// --quiet keeps only errors; --json keeps stdout for the final JSON document.

export interface ReporterOptions {
  quiet?: boolean;
  verbose?: boolean;
  json?: boolean;
}

export class Reporter {
  private liveLine = false;
  private lastPlain = 0;
  private readonly tty = process.stderr.isTTY === true;

  constructor(private readonly opts: ReporterOptions) {}

  /** A finished fact: "snabbnfv port 1 started (pid 123)". */
  info(line: string): void {
    if (this.opts.quiet) return;
    this.clearLive();
    (this.opts.json ? process.stderr : process.stdout).write(`${line}\n`);
  }

  /** With --verbose: each command as it runs. */
  command(line: string): void {
    if (!this.opts.verbose) return;
    this.clearLive();
    process.stderr.write(`+ ${line}\n`);
  }

  warn(line: string): void {
    this.clearLive();
    process.stderr.write(`lwaftrctl: warning: ${line}\n`);
  }

  /** While waiting: rewritten in place on a TTY, one line every 5 s otherwise. */
  progress(what: string, elapsedMs: number, status?: string): void {
    if (this.opts.quiet) return;
    const text = `waiting for ${what}: ${Math.floor(elapsedMs / 1000)}s${status ? ` (${status})` : ''}`;
    if (this.tty) {
      process.stderr.write(`\r\x1b[K${text}`);
      this.liveLine = true;
    } else if (elapsedMs - this.lastPlain >= 5000 || elapsedMs < this.lastPlain) {
      this.lastPlain = elapsedMs;
      process.stderr.write(`${text}\n`);
    }
  }

  doneWaiting(): void {
    this.clearLive();
    this.lastPlain = 0;
  }

  private clearLive(): void {
    if (this.liveLine) process.stderr.write('\r\x1b[K');
    this.liveLine = false;
  }
}
