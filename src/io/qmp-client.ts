// A small QMP client over QEMU's unix socket: greeting, qmp_capabilities, then one
// command at a time. Events QEMU sends in between are skipped.
import net from 'node:net';
import { OperationError } from '../errors.js';

export class QmpClient {
  private buffer = '';
  private waiters: ((msg: Record<string, unknown> | Error) => void)[] = [];
  private queue: Record<string, unknown>[] = [];
  private closedError?: Error;

  private constructor(private readonly socket: net.Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.onData(chunk));
    const onEnd = (err?: Error) => {
      this.closedError = err ?? new Error('QEMU closed the QMP connection');
      for (const w of this.waiters.splice(0)) w(this.closedError);
    };
    socket.on('error', onEnd);
    socket.on('close', () => onEnd());
  }

  /** Connects, reads the greeting and leaves capabilities negotiation mode. */
  static async connect(path: string, timeoutMs = 2000): Promise<QmpClient> {
    const socket = net.createConnection(path);
    const client = new QmpClient(socket);
    const timer = setTimeout(
      () => socket.destroy(new Error(`no QMP greeting on ${path} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('error', reject);
      });
      const greeting = await client.next();
      if (!('QMP' in greeting)) throw new Error(`${path} did not greet like QMP`);
      await client.execute('qmp_capabilities');
      return client;
    } catch (e) {
      socket.destroy();
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  async execute<T = unknown>(command: string, args?: Record<string, unknown>): Promise<T> {
    this.socket.write(`${JSON.stringify(args ? { execute: command, arguments: args } : { execute: command })}\n`);
    for (;;) {
      const msg = await this.next();
      if ('event' in msg) continue;
      if ('error' in msg) {
        const err = msg.error as { class: string; desc: string };
        throw new OperationError(`QMP ${command} failed: ${err.desc} (${err.class})`);
      }
      if ('return' in msg) return msg.return as T;
    }
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    for (let nl = this.buffer.indexOf('\n'); nl >= 0; nl = this.buffer.indexOf('\n')) {
      const line = this.buffer.slice(0, nl).trim();
      this.buffer = this.buffer.slice(nl + 1);
      if (!line) continue;
      const msg = JSON.parse(line) as Record<string, unknown>;
      const waiter = this.waiters.shift();
      if (waiter) waiter(msg);
      else this.queue.push(msg);
    }
  }

  private next(): Promise<Record<string, unknown>> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.closedError) return Promise.reject(this.closedError);
    return new Promise((resolve, reject) => this.waiters.push((m) => (m instanceof Error ? reject(m) : resolve(m))));
  }
}

/** Connects, runs one command, closes. */
export async function qmpOnce<T = unknown>(
  socketPath: string,
  command: string,
  args?: Record<string, unknown>,
): Promise<T> {
  const client = await QmpClient.connect(socketPath);
  try {
    return await client.execute<T>(command, args);
  } finally {
    client.close();
  }
}

export interface ChardevInfo {
  label: string;
  filename: string;
  'frontend-open': boolean;
}

/** A server socket chardev reads "disconnected:unix:..." until its client (the backend) connects. */
function isChardevConnected(info: ChardevInfo): boolean {
  return !info.filename.startsWith('disconnected:');
}

/** From query-chardev's answer: each of the labels to whether its backend is connected (false when absent). */
export function connectedChardevsOf(devs: ChardevInfo[], labels: readonly string[]): Map<string, boolean> {
  return new Map(labels.map((l) => [l, devs.some((d) => d.label === l && isChardevConnected(d))]));
}

/** query-cpus-fast's answer, as far as lwaftrctl reads it. */
export type QmpCpu = { 'cpu-index': number; 'thread-id': number };

export function vcpuThreadsOf(cpus: QmpCpu[]): { vcpu: number; threadId: number }[] {
  return cpus.map((c) => ({ vcpu: c['cpu-index'], threadId: c['thread-id'] }));
}
