// Screen sessions that bear this instance's snabbnfv names but were not started by lwaftrctl:
// the bash tool's own snabbnfv-1 when upgrading while it runs, or someone's by hand. lwaftrctl
// reports them and refuses to start or stop beside them.
import type { Config } from '../../config/types.js';
import { isSessionOf, listScreenSessions, sessionCommand } from '../../io/screen-sessions.js';
import { instancePaths } from '../../plan/instance-paths.js';
import { quoteArgv } from '../../shell/quote.js';

export interface ForeignSession {
  port: 1 | 2;
  /** pid.name, as screen -ls writes it. */
  session: string;
  /** What its SCREEN runs, as far as its command line tells. */
  command: string;
}

export function foreignSessions(config: Config): ForeignSession[] {
  const paths = instancePaths(config);
  const sessions = listScreenSessions();
  return config.snabbnfv.ports.flatMap((port) => {
    const mine = paths.snabbnfv[port.index];
    return sessions
      .filter((s) => s.name === mine.session && !isSessionOf(s.pid, mine.pidFile))
      .map((s) => ({ port: port.index, session: `${s.pid}.${s.name}`, command: quoteArgv(sessionCommand(s.pid)) }));
  });
}

/** What to tell the operator: the sessions, and how to end them once they are known to be stale. */
export function describeForeign(sessions: ForeignSession[]): { reason: string; fix: string } {
  const list = sessions.map((s) => `${s.session} (${s.command})`).join(', ');
  return {
    reason: `screen session ${list} bears this instance's name but lwaftrctl did not start it`,
    fix: `end it the way it was started, or: ${sessions.map((s) => `screen -S ${s.session} -X quit`).join('; ')}`,
  };
}
