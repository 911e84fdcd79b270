// After QEMU is proven gone: its pid file, its QMP socket and the vhost-user sockets nobody
// listens on any more (QEMU killed hard leaves them behind).
import fs from 'node:fs';
import type { Config } from '../../config/types.js';
import { identify, removeStaleFiles } from '../../io/process-identity.js';
import { instancePaths } from '../../plan/instance-paths.js';
import { qemuProcess } from './plan.js';

export function cleanAfterQemu(config: Config): void {
  const ref = qemuProcess(config);
  if (identify(ref).state === 'running') return;
  removeStaleFiles(ref);
  removeStaleSockets([instancePaths(config).qmpSocket, ...config.snabbnfv.ports.map((p) => p.socket)]);
}

/** Those of the sockets that nobody listens on any more. */
export function removeStaleSockets(sockets: string[]): void {
  const listening = listeningUnixSockets();
  for (const socket of sockets) if (fs.existsSync(socket) && !listening.has(socket)) fs.rmSync(socket, { force: true });
}

/** Paths of listening unix sockets, read from /proc/net/unix without connecting to any. */
function listeningUnixSockets(): Set<string> {
  const lines = fs.readFileSync('/proc/net/unix', 'utf8').split('\n').slice(1);
  // Flags 00010000: __SO_ACCEPTCON, a listening socket.
  return new Set(
    lines
      .map((line) => line.trim().split(/\s+/))
      .filter((f) => f[3] === '00010000' && f[7])
      .map((f) => f[7]!),
  );
}
