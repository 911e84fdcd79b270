// The guest as one run sees it: through the instance's kept-open connection when one answers,
// else over a connection of its own, with the same errors as ever (a changed host key, a guest
// that does not answer). A run that had to log in itself leaves a kept-open connection behind
// as it ends, so that it never competes with its own login for the guest's emulated CPU.

import { execViaMux, type MuxFiles, muxIdleMs, startMux, stopMux } from './guest-mux.js';
import { GuestSsh, type RemoteResult, type SshTarget } from './guest-ssh.js';

export class GuestLink {
  private readonly direct: GuestSsh;
  private readonly idleMs = muxIdleMs();

  constructor(
    readonly target: SshTarget,
    private readonly connectTimeoutMs: number,
    private readonly mux: MuxFiles,
  ) {
    this.direct = new GuestSsh(target, connectTimeoutMs);
  }

  async exec(argv: string[]): Promise<RemoteResult> {
    if (this.idleMs > 0) {
      const answer = await execViaMux(this.mux.socket, { target: this.target, argv }, this.connectTimeoutMs);
      if (answer.kind === 'done') return answer.result;
    }
    return this.direct.exec(argv);
  }

  /** The guest goes away (vm stop): drops this run's connection and ends the kept-open one. */
  async close(): Promise<void> {
    this.direct.close();
    await stopMux(this.mux);
  }

  /** The run is done with the guest: drops its own connection, handing over to a kept-open one if it had to log in. */
  release(): void {
    const handOver = this.direct.connected && this.idleMs > 0;
    this.direct.close();
    if (handOver)
      startMux(this.mux, { target: this.target, connectTimeoutMs: this.connectTimeoutMs, idleMs: this.idleMs });
  }
}
