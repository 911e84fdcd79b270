// SSH to the guest with ssh2: key auth (configured key, else agent and default keys), host
// key verified against known_hosts. One connection serves every command of a run.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type ssh2 from 'ssh2';
import type { GuestSsh as GuestSshConfig } from '../config/types.js';
import { OperationError } from '../errors.js';
import { quoteRemoteArgv } from '../shell/quote.js';
import { fingerprint, knownHostsName, knownKeyTypes, recordHostKey, verifyHostKey } from './known-hosts.js';

/** Where remote commands go: the guest's SSH settings, less what only the connection needs. */
export type SshTarget = Omit<GuestSshConfig, 'connectTimeoutMs'>;

export function sshTargetOf(ssh: GuestSshConfig): SshTarget {
  const { connectTimeoutMs: _, ...target } = ssh;
  return target;
}

export interface RemoteResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class HostKeyError extends OperationError {
  override name = 'HostKeyError';
}

export class GuestSsh {
  private client?: ssh2.Client;
  private hostKeyProblem?: HostKeyError;
  /** The key the guest proved itself with, once connected. */
  private hostKey?: Buffer;

  constructor(
    readonly target: SshTarget,
    private readonly connectTimeoutMs: number,
  ) {}

  async connect(): Promise<void> {
    if (this.client) return;
    const t = this.target;
    const name = knownHostsName(t.host, t.port);
    // Loaded on first use: most commands never talk to the guest, and ssh2 is slow to load.
    const { default: ssh } = await import('ssh2');
    const client = new ssh.Client();
    // ssh2 may report a second error after the first (a timeout, then the lost connection): with
    // no listener left that would crash the process. The first one rejects the connect below.
    client.on('error', () => undefined);
    const knownTypes = knownKeyTypes(t.knownHosts, name);
    await new Promise<void>((resolve, reject) => {
      client.once('ready', () => resolve());
      client.once('error', (err) =>
        reject(
          this.hostKeyProblem ??
            new OperationError(
              `cannot log into the guest over SSH (${t.user}@${t.host}:${t.port}): ${err.message}`,
              `check that the VM runs and its SSH answers (lwaftrctl status vm), and that the guest accepts ` +
                `${t.identityFile ?? 'your SSH keys'}`,
            ),
        ),
      );
      client.connect({
        host: t.host,
        port: t.port,
        username: t.user,
        readyTimeout: this.connectTimeoutMs,
        keepaliveInterval: t.keepaliveIntervalMs,
        keepaliveCountMax: t.keepaliveCountMax,
        authHandler: authMethods(t),
        algorithms: knownTypes.length ? { serverHostKey: knownTypes as ssh2.ServerHostKeyAlgorithm[] } : undefined,
        hostVerifier: (key: Buffer) => this.checkHostKey(name, key),
      });
      // Without it Nagle's algorithm holds each small SSH packet back ~40 ms over QEMU's slirp.
      client.setNoDelay(true);
    }).catch((err) => {
      client.destroy();
      throw err;
    });
    this.client = client;
  }

  /**
   * Runs argv in the guest: quoted once here, with POSIX single quotes, and nowhere else.
   * `onStarted` is called once the guest has accepted the command; a rejection before it means it never ran.
   */
  async exec(argv: string[], onStarted?: () => void): Promise<RemoteResult> {
    await this.connect();
    const command = quoteRemoteArgv(argv);
    return new Promise((resolve, reject) => {
      this.client!.exec(command, (err, channel) => {
        if (err) return reject(err);
        onStarted?.();
        let stdout = '';
        let stderr = '';
        // Decoded by the streams, so that a character split between two packets stays whole.
        channel.setEncoding('utf8');
        channel.stderr.setEncoding('utf8');
        channel.on('data', (d: string) => (stdout += d));
        channel.stderr.on('data', (d: string) => (stderr += d));
        channel.on('close', (code: number | null) => resolve({ code: code ?? 255, stdout, stderr }));
      });
    });
  }

  /**
   * Runs argv in the guest and hands its output over as it comes (tail -f), in one channel; resolves
   * with its exit code when it ends, or undefined at once when `signal` aborts (the channel is
   * closed then, without waiting for the guest: close() ends the connection, and the command with it).
   */
  async stream(
    argv: string[],
    onData: (text: string, from: 'stdout' | 'stderr') => void,
    signal: AbortSignal,
  ): Promise<number | undefined> {
    await this.connect();
    const command = quoteRemoteArgv(argv);
    return new Promise((resolve, reject) => {
      this.client!.exec(command, (err, channel) => {
        if (err) return reject(err);
        const abort = () => {
          channel.close();
          resolve(undefined);
        };
        if (signal.aborted) return abort();
        signal.addEventListener('abort', abort, { once: true });
        channel.setEncoding('utf8');
        channel.stderr.setEncoding('utf8');
        channel.on('data', (d: string) => onData(d, 'stdout'));
        channel.stderr.on('data', (d: string) => onData(d, 'stderr'));
        channel.on('close', (code: number | null) => {
          signal.removeEventListener('abort', abort);
          resolve(code ?? 255);
        });
      });
    });
  }

  /** Drops the connection at once: a guest that has powered off never answers a polite end. */
  close(): void {
    this.client?.destroy();
    this.client = undefined;
  }

  get connected(): boolean {
    return this.client !== undefined;
  }

  /** Calls back once the connection has ended, whoever ended it (for a connection kept open). */
  onEnd(listener: () => void): void {
    this.client?.once('close', listener);
  }

  /** Whether known_hosts still vouches for the key this connection was verified with (it may be edited since). */
  hostKeyStillKnown(): boolean {
    const t = this.target;
    return (
      this.hostKey !== undefined &&
      verifyHostKey(t.knownHosts, knownHostsName(t.host, t.port), this.hostKey).kind === 'known'
    );
  }

  private checkHostKey(name: string, key: Buffer): boolean {
    const t = this.target;
    const verdict = verifyHostKey(t.knownHosts, name, key);
    const firstUse = verdict.kind === 'unknown' && t.hostKeyCheck === 'accept-new';
    if (firstUse) recordHostKey(t.knownHosts, name, key);
    if (verdict.kind === 'known' || firstUse) {
      this.hostKey = key;
      return true;
    }
    this.hostKeyProblem =
      verdict.kind === 'changed'
        ? new HostKeyError(
            `the guest's SSH host key for ${name} has CHANGED (it offers ${fingerprint(key)}; ` +
              `${t.knownHosts}:${verdict.line} holds another): refusing to connect`,
            `if the guest was rebuilt and you trust it, remove the old key: ssh-keygen -R '${name}' -f ${t.knownHosts}`,
          )
        : verdict.kind === 'revoked'
          ? new HostKeyError(
              `the guest's host key ${fingerprint(key)} is marked @revoked in ${t.knownHosts}:${verdict.line}`,
              'give the guest a new host key',
            )
          : new HostKeyError(
              `the guest's host key ${fingerprint(key)} for ${name} is not in ${t.knownHosts} and ` +
                `VM_HOST_KEY_CHECK=yes`,
              `add the guest's key to ${t.knownHosts}, or set VM_HOST_KEY_CHECK=accept-new to record it on first use`,
            );
    return false;
  }
}

function readKey(file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new OperationError(`the SSH key ${file} does not exist`, 'set VM_SSH_KEY to the key');
    throw new OperationError(
      `cannot read the SSH key ${file} (${code})`,
      "run lwaftrctl as root, or as the key's owner",
    );
  }
}

/** The configured key; otherwise the agent, then the default key files, as ssh would try them. */
function authMethods(t: SshTarget): ssh2.AuthMethod[] {
  const methods: (ssh2.AgentAuthMethod | ssh2.PublicKeyAuthMethod)[] = [];
  const keyFiles = t.identityFile
    ? [t.identityFile]
    : ['id_ed25519', 'id_ecdsa', 'id_rsa']
        .map((f) => path.join(os.homedir(), '.ssh', f))
        .filter((f) => fs.existsSync(f));
  if (!t.identityFile && process.env.SSH_AUTH_SOCK)
    methods.push({ type: 'agent', username: t.user, agent: process.env.SSH_AUTH_SOCK });
  for (const f of keyFiles) methods.push({ type: 'publickey', username: t.user, key: readKey(f) });
  if (methods.length === 0)
    throw new OperationError(
      `no SSH key to log into the guest as ${t.user}`,
      'set VM_SSH_KEY to a private key the guest accepts, or run an ssh-agent',
    );
  return methods;
}
