// Events as lines for people: facts on stdout (stderr under --json, whose stdout is the document),
// warnings on stderr, waits as a live line on a TTY and a line every 5 s otherwise, each command
// with --verbose. --quiet keeps only warnings.
import { formatProblem } from '../errors.js';
import type { ComponentFacts, ComponentPhase, LifecycleEvent, Timestamped } from './events.js';

export interface HumanOptions {
  quiet?: boolean;
  verbose?: boolean;
}

const PHASES: Record<ComponentPhase, string> = {
  starting: 'starting',
  started: 'started',
  'already-running': 'already running',
  resuming: 'up but not running: finishing its start',
  stopping: 'stopping',
  stopped: 'stopped',
  'already-stopped': 'already stopped',
  failed: 'failed',
};

/** `out`: where facts go (stderr when stdout carries JSON or events). */
export function humanRenderer(opts: HumanOptions, out: NodeJS.WritableStream = process.stdout, err = process.stderr) {
  const tty = err.isTTY === true;
  let liveLine = false;
  let lastPlain = 0;
  const clearLive = () => {
    if (liveLine) err.write('\r\x1b[K');
    liveLine = false;
  };
  const say = (line: string) => {
    if (opts.quiet) return;
    clearLive();
    out.write(`${line}\n`);
  };
  const warn = (line: string) => {
    clearLive();
    err.write(`lwaftrctl: warning: ${line}\n`);
  };
  return (e: Timestamped<LifecycleEvent>): void => {
    switch (e.type) {
      case 'component':
        // Starting and stopping are announced by what follows them.
        if (e.phase !== 'starting' && e.phase !== 'stopping') say(describeComponent(e.component, e.phase, e.facts));
        return;
      case 'warning':
        warn(e.component ? `${e.component}: ${e.message}` : e.message);
        return;
      case 'problem':
        warn(formatProblem(e));
        return;
      case 'rollback':
        warn(`${e.reason}: stopping what this run started (${e.components.join(', ')})`);
        return;
      case 'step-begin':
        if (opts.verbose) for (const line of e.shell) say(`+ ${line}`);
        return;
      case 'escalation':
        if (opts.verbose) say(`+ # ${e.what}: not yet after ${e.after}; going on to the next stage`);
        return;
      case 'wait-progress': {
        if (opts.quiet) return;
        const text = `waiting for ${e.what}: ${Math.floor(e.elapsedMs / 1000)}s${e.status ? ` (${e.status})` : ''}`;
        if (tty) {
          err.write(`\r\x1b[K${text}`);
          liveLine = true;
        } else if (e.elapsedMs - lastPlain >= 5000 || e.elapsedMs < lastPlain || (e.announce && lastPlain === 0)) {
          lastPlain = Math.max(e.elapsedMs, 1);
          err.write(`${text}\n`);
        }
        return;
      }
      case 'wait-end':
        clearLive();
        lastPlain = 0;
        return;
      default:
        return;
    }
  };
}

export function describeComponent(component: string, phase: ComponentPhase, f: ComponentFacts): string {
  const who = f.port === undefined ? component : `${component} port ${f.port}`;
  const facts = [
    f.pid === undefined ? undefined : `pid ${f.pid}`,
    f.core === undefined ? undefined : `core ${f.core}`,
    f.screen === undefined ? undefined : `screen ${f.screen}`,
    f.ssh === undefined ? undefined : `guest SSH on ${f.ssh}`,
    f.seconds === undefined ? undefined : `after ${f.seconds.toFixed(1)}s`,
    f.log === undefined ? undefined : `log ${f.log}`,
  ].filter(Boolean);
  const reason = f.reason ? `: ${f.reason}` : '';
  return `${who}: ${PHASES[phase]}${reason}${facts.length ? ` (${facts.join(', ')})` : ''}`;
}
