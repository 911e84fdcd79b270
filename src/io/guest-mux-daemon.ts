// The kept-open guest connection's own process (see guest-mux.ts), started detached by lwaftrctl:
// node guest-mux-daemon.js --lwaftrctl-guest-mux SOCKET OPTIONS-JSON. It logs into the guest
// exactly as a run does (GuestSsh: same key, same known_hosts check), then serves commands on a
// unix socket only root can open, several at once, each on its own SSH channel. It ends after its
// idle time, when the connection drops, or on SIGTERM (vm stop), and removes its files as it goes.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { BusyError } from '../errors.js';
import { type MuxOptions, type MuxReply, type MuxRequest, muxFiles, sameTarget } from './guest-mux.js';
import { GuestSsh } from './guest-ssh.js';
import { acquireLock, type HeldLock } from './instance-lock.js';

/** Without keepalives of its own a long-lived connection would not notice a guest that vanished. */
const KEEPALIVE = { keepaliveIntervalMs: 15_000, keepaliveCountMax: 3 };
const MAX_REQUEST_BYTES = 1024 * 1024;

function log(message: string): void {
  process.stderr.write(`${new Date().toISOString()} guest mux ${process.pid}: ${message}\n`);
}

async function main(socket: string, options: MuxOptions): Promise<number> {
  const files = muxFiles(path.dirname(socket));
  let lock: HeldLock;
  try {
    lock = await acquireLock(files.record, { timeoutMs: 0, instance: 'guest mux' });
  } catch (err) {
    if (err instanceof BusyError) return 0; // Another one serves this instance already.
    throw err;
  }
  fs.writeFileSync(files.pidFile, `${process.pid}\n`);
  const ssh = new GuestSsh({ ...KEEPALIVE, ...options.target }, options.connectTimeoutMs);
  const clients = new Set<net.Socket>();
  let server: net.Server | undefined;
  let idle: NodeJS.Timeout | undefined;
  let socketInode: number | undefined;
  const end = (why: string, code = 0): never => {
    log(`exits: ${why}`);
    server?.close();
    // Only its own socket: never one that a mux started after it has put there.
    if (socketInode !== undefined && inodeOf(socket) === socketInode) fs.rmSync(socket);
    for (const c of clients) c.destroy();
    if (fs.existsSync(files.pidFile) && fs.readFileSync(files.pidFile, 'utf8').trim() === String(process.pid))
      fs.rmSync(files.pidFile);
    lock.release();
    ssh.close();
    process.exit(code);
  };
  process.on('SIGTERM', () => end('stopped (SIGTERM)'));
  process.on('SIGINT', () => end('stopped (SIGINT)'));
  process.on('SIGHUP', () => undefined);
  try {
    await ssh.connect();
  } catch (err) {
    end(`cannot log into the guest: ${(err as Error).message}`, 1);
  }
  ssh.onEnd(() => end('the guest connection ended'));
  const armIdle = () => {
    clearTimeout(idle);
    idle = setTimeout(() => end(`idle for ${options.idleMs / 1000}s`), options.idleMs);
  };
  server = net.createServer((conn) => {
    clients.add(conn);
    clearTimeout(idle);
    conn.on('close', () => {
      clients.delete(conn);
      if (clients.size === 0) armIdle();
    });
    conn.on('error', () => undefined);
    readRequest(conn, (request) => serve(request, conn));
  });
  const serve = (request: MuxRequest, conn: net.Socket) => {
    const reply = (r: MuxReply, then?: () => void) => conn.end(`${JSON.stringify(r)}\n`, then);
    if (!sameTarget(request.target, options.target)) {
      reply({ refused: 'it serves another SSH target' });
      return;
    }
    // The key this connection was verified with must still be trusted: an edited known_hosts is not hidden.
    if (!ssh.hostKeyStillKnown()) {
      const why = "known_hosts no longer holds the guest's key of this connection";
      reply({ refused: why }, () => end(why));
      return;
    }
    ssh
      .exec(request.argv, () => conn.write(`${JSON.stringify({ started: true })}\n`))
      .then(
        (result) => reply(result),
        (err: Error) => reply({ refused: err.message }),
      );
  };
  // Only root (its owner) may connect: created 0600, in a state folder only root writes.
  process.umask(0o177);
  fs.rmSync(socket, { force: true }); // A killed mux's socket: this one holds the lock now.
  await new Promise<void>((resolve, reject) => server!.once('error', reject).listen(socket, resolve));
  socketInode = inodeOf(socket);
  log(`serves ${options.target.user}@${options.target.host}:${options.target.port} on ${socket}`);
  armIdle();
  return new Promise<number>(() => undefined); // Runs until end() exits.
}

function inodeOf(file: string): number | undefined {
  try {
    return fs.statSync(file).ino;
  } catch {
    return undefined;
  }
}

/** The first line a client sends, parsed; anything else closes the connection. */
function readRequest(conn: net.Socket, onRequest: (r: MuxRequest) => void): void {
  let text = '';
  const onData = (d: Buffer) => {
    text += d.toString();
    if (text.length > MAX_REQUEST_BYTES) return conn.destroy();
    const nl = text.indexOf('\n');
    if (nl < 0) return;
    conn.off('data', onData);
    try {
      const r = JSON.parse(text.slice(0, nl)) as MuxRequest;
      if (Array.isArray(r.argv) && r.argv.length > 0 && r.argv.every((a) => typeof a === 'string') && r.target)
        return onRequest(r);
    } catch {
      // Falls through: not a request.
    }
    conn.destroy();
  };
  conn.on('data', onData);
}

const [marker, socket, json] = process.argv.slice(2);
if (marker === undefined || socket === undefined || json === undefined) {
  log('usage: guest-mux-daemon.js --lwaftrctl-guest-mux SOCKET OPTIONS-JSON (lwaftrctl starts it)');
  process.exit(2);
}
process.exitCode = await main(socket, JSON.parse(json) as MuxOptions);
