// The real host view: files under a root folder ('/' on a real host, a fixture tree in tests),
// programs on PATH, programs run with a deadline (execa), IPv4 addresses (ip -j) and a port probe.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { FileInfo, FileKind, HostView, RunOptions, RunResult } from './types.js';

export interface HostViewOptions {
  /** Folder that host paths (/proc, /sys, /dev, and the config's own paths) are read under. */
  root?: string;
  /** PATH folders, as host paths. */
  pathDirs?: string[];
  run?: HostView['run'];
  ipv4Addresses?: HostView['ipv4Addresses'];
  portFree?: HostView['portFree'];
}

export function createHostView(options: HostViewOptions = {}): HostView {
  const root = options.root ?? '/';
  const at = (p: string) => (root === '/' ? p : path.join(root, p));
  const pathDirs = options.pathDirs ?? (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':').filter(Boolean);
  const run = options.run ?? runWithDeadline;
  const view: HostView = {
    read: (p) => {
      try {
        return fs.readFileSync(at(p), 'utf8');
      } catch {
        return undefined;
      }
    },
    stat: (p) => fileInfo(at(p)),
    list: (dir) => {
      try {
        return fs.readdirSync(at(dir));
      } catch {
        return undefined;
      }
    },
    readLink: (p) => {
      try {
        return fs.readlinkSync(at(p));
      } catch {
        return undefined;
      }
    },
    access: (p, mode) => canAccess(at(p), mode),
    which: (program) => {
      const candidates = program.includes('/') ? [program] : pathDirs.map((d) => path.join(d, program));
      return candidates.find((c) => fileInfo(at(c))?.kind === 'file' && canAccess(at(c), 'x'));
    },
    run,
    ipv4Addresses: options.ipv4Addresses ?? ((iface) => ipv4FromIp(run, iface)),
    portFree: options.portFree ?? canListen,
  };
  return view;
}

function fileInfo(p: string): FileInfo | undefined {
  try {
    const s = fs.statSync(p);
    const kind: FileKind = s.isFile()
      ? 'file'
      : s.isDirectory()
        ? 'dir'
        : s.isSocket()
          ? 'socket'
          : s.isCharacterDevice()
            ? 'char'
            : s.isBlockDevice()
              ? 'block'
              : s.isFIFO()
                ? 'fifo'
                : 'other';
    return { kind, size: s.size, mode: s.mode & 0o7777 };
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EACCES' ? { kind: 'denied', size: 0, mode: 0 } : undefined;
  }
}

function canAccess(p: string, mode: string): boolean {
  let flags = fs.constants.F_OK;
  if (mode.includes('r')) flags |= fs.constants.R_OK;
  if (mode.includes('w')) flags |= fs.constants.W_OK;
  if (mode.includes('x')) flags |= fs.constants.X_OK;
  try {
    fs.accessSync(p, flags);
    return true;
  } catch {
    return false;
  }
}

/** Runs argv without a shell; stops it at the deadline, or as soon as stdout shows `until`. */
export async function runWithDeadline(argv: string[], options: RunOptions): Promise<RunResult> {
  // Loaded on first use: it takes a while, and most checks run no program.
  const { execa } = await import('execa');
  const started = performance.now();
  const [file, ...args] = argv;
  const child = execa(file!, args, {
    reject: false,
    stdin: 'ignore',
    timeout: options.timeoutMs,
    forceKillAfterDelay: 500,
  });
  let matched = false;
  if (options.until !== undefined) {
    const until = options.until;
    let seen = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      // Keep only a tail long enough to find `until` across chunk boundaries.
      seen = (seen + chunk.toString('latin1')).slice(-(until.length + 65536));
      if (!matched && seen.includes(until)) {
        matched = true;
        child.kill('SIGKILL');
      }
    });
  }
  const r = await child;
  const startError =
    r.failed && r.exitCode === undefined && !r.isTerminated ? (r.originalMessage ?? r.shortMessage) : undefined;
  return {
    code: r.exitCode ?? null,
    signal: r.signal,
    stdout: String(r.stdout ?? ''),
    stderr: String(r.stderr ?? ''),
    timedOut: r.timedOut,
    matched,
    startError,
    ms: Math.round(performance.now() - started),
  };
}

async function ipv4FromIp(run: HostView['run'], iface: string): Promise<string[] | undefined> {
  const r = await run(['ip', '-j', '-4', 'addr', 'show', 'dev', iface], { timeoutMs: 2000 });
  if (r.code !== 0) return undefined;
  try {
    const links = JSON.parse(r.stdout) as { addr_info?: { local?: string; prefixlen?: number }[] }[];
    return links.flatMap((l) => (l.addr_info ?? []).map((a) => `${a.local}/${a.prefixlen}`));
  } catch {
    return undefined;
  }
}

/** Listening is the only sure test that a port is free (a connect test misses listeners on other addresses). */
export function canListen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}
