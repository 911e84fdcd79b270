// logs: the last lines of each log of an instance, each line prefixed with its source, and with
// -f every line after as it comes (local files polled, the guest's log over SSH in one channel).
// Lines go to stdout; notes (a log missing, the guest unreachable) to stderr.
import path from 'node:path';
import type { LogSource } from '../cli/scripting-commands.js';
import { qemuProcess } from '../components/vm/plan.js';
import type { Config } from '../config/types.js';
import { GuestSsh, sshTargetOf } from '../io/guest-ssh.js';
import { followFile, lastLines, lineSplitter } from '../io/log-files.js';
import { identify } from '../io/process-identity.js';
import { sleep } from '../util/sleep.js';
import type { CommandContext } from './command-context.js';
import { type GlobalOptions, loadForCommand, printConfigWarnings } from './global-options.js';
import { interruption } from './interruption.js';
import { type LogSpec, labelWidth, logSources } from './log-sources.js';

export interface LogsOptions extends GlobalOptions {
  follow?: boolean;
  lines: number;
}

/** A guest that cannot be reached while following is tried again this often. */
const GUEST_RETRY_MS = 5000;

type Print = (label: string, line: string) => void;

export async function logsCommand(
  source: LogSource,
  { options, report }: CommandContext<LogsOptions>,
): Promise<number> {
  report.expect('logs', {});
  const config = loadForCommand(options);
  report.forConfig(config);
  printConfigWarnings(config, options);
  const specs = logSources(config, source);
  const width = labelWidth(specs);
  const print: Print = (label, line) => process.stdout.write(`${label.padEnd(width)} | ${line}\n`);
  const note = (label: string, text: string) => process.stderr.write(`lwaftrctl: ${label}: ${text}\n`);
  const stop = interruption('new log lines');
  // A reader that went away (| head) ends the command, as it ends tail.
  process.stdout.on('error', () => stop.abort());
  try {
    const ends = [];
    for (const spec of specs) {
      if (spec.kind === 'file') ends.push(showFile(spec, options, print, note, stop.signal));
      else ends.push(showGuest(spec, config, options, print, note, stop.signal));
      // Each source's last lines are printed before the next one's, in order.
      if (!options.follow) await ends.at(-1);
    }
    await Promise.all(ends);
  } finally {
    stop.release();
  }
  return 0;
}

/** The last lines of a local log (the rotated copy first when the file is short), then with -f the rest. */
async function showFile(
  spec: Extract<LogSpec, { kind: 'file' }>,
  options: LogsOptions,
  print: Print,
  note: (label: string, text: string) => void,
  signal: AbortSignal,
): Promise<void> {
  const render = spec.render ?? ((l: string) => l);
  const tail = lastLines(spec.file, options.lines);
  const got = tail ? tail.lines.length + (tail.partial ? 1 : 0) : 0;
  const older = spec.rotated && got < options.lines ? lastLines(spec.rotated, options.lines - got) : undefined;
  if (older && spec.rotated) {
    const label = path.basename(spec.rotated);
    for (const l of [...older.lines, ...(older.partial ? [older.partial] : [])]) print(label, render(l));
  }
  if (!tail && !options.follow) {
    if (!older) note(spec.label, `no such file yet (${spec.file})`);
    return;
  }
  for (const l of tail?.lines ?? []) print(spec.label, render(l));
  if (!options.follow) {
    if (tail?.partial) print(spec.label, render(tail.partial));
    return;
  }
  await followFile(
    spec.file,
    tail?.end ?? 0,
    {
      line: (l) => print(spec.label, render(l)),
      restarted: (how) =>
        print(
          spec.label,
          `--- ${how === 'rotated' ? `a new ${spec.label} (the last one is now .1)` : 'truncated'} ---`,
        ),
    },
    signal,
  );
}

/** The guest lwAFTR's log over SSH: tail -n, or with -f tail -F in one channel, tried again while the VM runs. */
async function showGuest(
  spec: Extract<LogSpec, { kind: 'guest' }>,
  config: Config,
  options: LogsOptions,
  print: Print,
  note: (label: string, text: string) => void,
  signal: AbortSignal,
): Promise<void> {
  let said = '';
  const sayOnce = (text: string) => {
    if (text !== said) note(spec.label, text);
    said = text;
  };
  do {
    if (identify(qemuProcess(config)).state !== 'running') sayOnce('the VM is not running: no guest log to read');
    else {
      const ssh = new GuestSsh(sshTargetOf(config.ssh), Math.min(config.timeouts.sshConnectMs, 5000));
      try {
        const n = String(options.lines);
        const argv = options.follow ? ['tail', '-n', n, '-F', spec.file] : ['tail', '-n', n, spec.file];
        const lines = lineSplitter((l) => print(spec.label, l));
        const errors = lineSplitter((l) => note(spec.label, l));
        const code = await ssh.stream(argv, (text, from) => (from === 'stdout' ? lines : errors).push(text), signal);
        lines.flush();
        errors.flush();
        if (code !== 0 && code !== undefined) sayOnce(`tail ended with exit code ${code}`);
      } catch (err) {
        sayOnce((err as Error).message);
      } finally {
        ssh.close();
      }
    }
    if (options.follow) await sleep(GUEST_RETRY_MS, signal).catch(() => undefined);
  } while (options.follow && !signal.aborted);
}
