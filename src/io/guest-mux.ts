// The instance's kept-open guest connection, as OpenSSH's ControlMaster/ControlPersist keeps one:
// a process of its own (guest-mux-daemon.ts) holds one authenticated connection to the guest and
// runs other lwaftrctl runs' commands on it, so that they skip the SSH login (half a second of key
// exchange on an emulated guest CPU). This side: its files, how to ask it, start it and end it.
// Hand-written: ssh2 has no client-side multiplexing across processes, and OpenSSH's own master
// would need the ssh binary and its argv quoting on every command.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { OperationError } from '../errors.js';
import { waitUntil } from '../util/wait-until.js';
import type { RemoteResult, SshTarget } from './guest-ssh.js';
import { spawnDetached } from './local.js';
import { identify, type ProcessRef, removeStaleFiles } from './process-identity.js';

/** In the mux's command line, with its socket: what proves a process is this instance's mux. */
export const MUX_MARKER = '--lwaftrctl-guest-mux';
const DAEMON = fileURLToPath(new URL('./guest-mux-daemon.js', import.meta.url));
/** How long it stays without a request (ControlPersist), unless LWAFTRCTL_GUEST_MUX_IDLE says otherwise. */
const DEFAULT_IDLE_MS = 300_000;
const MAX_LOG_BYTES = 256 * 1024;
const MUX = "the instance's kept-open SSH connection";

export interface MuxFiles {
  socket: string;
  pidFile: string;
  /** Its identity record, which is also its lock: one mux per instance. */
  record: string;
  log: string;
}

/** What the mux is started with (one JSON word of its command line: nothing secret, paths only). */
export interface MuxOptions {
  target: SshTarget;
  connectTimeoutMs: number;
  idleMs: number;
}

/** One request and its answers on the socket, a JSON line each. */
export interface MuxRequest {
  target: SshTarget;
  argv: string[];
}
export type MuxReply = { started: true } | { refused: string } | RemoteResult;

/** `mux.sock` is no longer than `qmp.sock`, whose path the config already holds to the kernel's 107 bytes. */
export function muxFiles(stateDir: string): MuxFiles {
  const f = (name: string) => path.join(stateDir, name);
  return { socket: f('mux.sock'), pidFile: f('mux.pid'), record: f('mux.json'), log: f('mux.log') };
}

export function muxProcess(files: MuxFiles): ProcessRef {
  return {
    pidFile: files.pidFile,
    record: files.record,
    cmdlineHas: [MUX_MARKER, files.socket],
    label: MUX,
  };
}

/** LWAFTRCTL_GUEST_MUX_IDLE: seconds the mux stays without requests; 0 turns it off (every run logs in itself). */
export function muxIdleMs(env: NodeJS.ProcessEnv = process.env): number {
  const text = env.LWAFTRCTL_GUEST_MUX_IDLE;
  if (text === undefined || text === '') return DEFAULT_IDLE_MS;
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds < 0)
    throw new OperationError(
      `LWAFTRCTL_GUEST_MUX_IDLE=${text} is not a number of seconds`,
      'set it to the seconds the kept-open guest connection stays idle (300 by default), or 0 to have none',
    );
  // setTimeout's longest delay (24.8 days); a longer one would fire at once.
  return Math.min(Math.round(seconds * 1000), 2 ** 31 - 1);
}

/** The two sides agree on the guest only if every setting is the same, whatever their order. */
export function sameTarget(a: SshTarget, b: SshTarget): boolean {
  const canonical = (t: SshTarget) =>
    JSON.stringify(
      Object.entries(t)
        .filter(([, v]) => v !== undefined)
        .sort(([x], [y]) => x.localeCompare(y)),
    );
  return canonical(a) === canonical(b);
}

export type MuxAnswer = { kind: 'done'; result: RemoteResult } | { kind: 'unavailable' };

/**
 * Runs argv through the mux. 'unavailable' means it certainly did not run (no mux, or the mux
 * refused: another target, a host key no longer known): the caller connects itself. Once the
 * request is out, anything else is an error, never a second try that could run it twice.
 */
export function execViaMux(socket: string, request: MuxRequest, startTimeoutMs: number): Promise<MuxAnswer> {
  return new Promise((resolve, reject) => {
    const conn = net.createConnection({ path: socket });
    let sent = false;
    let started = false;
    let settled = false;
    let buffered = '';
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      conn.destroy();
      outcome();
    };
    const fail = (what: string) =>
      settle(() =>
        reject(
          new OperationError(
            `${what} (${socket})`,
            'check that the VM runs (lwaftrctl status vm); LWAFTRCTL_GUEST_MUX_IDLE=0 makes lwaftrctl log in itself',
          ),
        ),
      );
    const command = request.argv[0];
    const timer = setTimeout(
      () => fail(`the guest did not take ${command} within ${startTimeoutMs / 1000}s through ${MUX}`),
      startTimeoutMs,
    );
    const onReply = (reply: MuxReply) => {
      if ('started' in reply) {
        started = true;
        clearTimeout(timer);
      } else if ('refused' in reply) settle(() => resolve({ kind: 'unavailable' }));
      else settle(() => resolve({ kind: 'done', result: reply }));
    };
    conn.on('connect', () => {
      conn.write(`${JSON.stringify(request)}\n`);
      sent = true;
    });
    conn.on('data', (d: Buffer) => {
      buffered += d.toString();
      for (let nl = buffered.indexOf('\n'); nl >= 0 && !settled; nl = buffered.indexOf('\n')) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        try {
          onReply(JSON.parse(line) as MuxReply);
        } catch {
          fail(`${MUX} answered ${command} with garbage: ${line.slice(0, 80)}`);
        }
      }
    });
    conn.on('error', (err: NodeJS.ErrnoException) => {
      if (!sent) settle(() => resolve({ kind: 'unavailable' }));
      else fail(`${MUX} failed during ${command}: ${err.message}`);
    });
    conn.on('close', () =>
      fail(`${MUX} ended ${started ? 'while the guest ran' : 'before the guest took'} ${command}`),
    );
  });
}

/** Starts the mux detached; it gives way at once if another holds its lock. Never fails the run that asks. */
export function startMux(files: MuxFiles, options: MuxOptions): void {
  try {
    if (fs.existsSync(files.log) && fs.statSync(files.log).size > MAX_LOG_BYTES)
      fs.renameSync(files.log, `${files.log}.1`);
    // From /, so that it never holds on to the folder lwaftrctl was run in.
    spawnDetached([process.execPath, DAEMON, MUX_MARKER, files.socket, JSON.stringify(options)], files.log, '/');
  } catch {
    // A run that cannot start it (a state folder it may not write) logs in itself next time.
  }
}

/** Ends the mux (proven ours: never another process that has its pid) and removes its files. */
export async function stopMux(files: MuxFiles): Promise<void> {
  const ref = muxProcess(files);
  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    const id = identify(ref);
    if (id.state !== 'running') break;
    process.kill(id.pid, signal);
    await waitUntil(() => ({ ready: identify(ref).state !== 'running' }), {
      what: `${ref.label} (pid ${id.pid}) to exit`,
      timeoutMs: 2000,
      intervalMs: 10,
    }).catch(() => undefined);
  }
  if (identify(ref).state === 'running') return;
  removeStaleFiles(ref);
  fs.rmSync(files.socket, { force: true });
}
