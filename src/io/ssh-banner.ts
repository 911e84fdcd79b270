// Whether the guest's sshd is up: its banner ("SSH-") on the forwarded port. QEMU's user
// networking (slirp) accepts TCP at once, before the guest listens, so only the banner proves it.
import net from 'node:net';

/** One connection: true once the banner arrives, false on anything else or after `timeoutMs`. */
export function sshBannerAnswers(
  host: string,
  port: number,
  timeoutMs = 1000,
  opened?: (socket: net.Socket) => void,
): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.createConnection({ host, port });
    opened?.(socket);
    let data = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.on('data', (d) => {
      data += d.toString('latin1');
      if (data.startsWith('SSH-')) done(true);
      else if (data.length >= 4) done(false);
    });
    socket.on('error', () => done(false));
    socket.on('close', () => done(false));
  });
}

/**
 * For a boot: tries that overlap. A SYN that slirp passes on while the guest's NIC is still down
 * is sent again only a second or more later, so each look opens a new connection (up to `most`
 * at once, each given 2 s) instead of waiting on the last one.
 */
export class BannerProbe {
  private seen = false;
  private readonly open = new Set<net.Socket>();

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly most = 3,
  ) {}

  /** One look: whether any try so far saw the banner; starts another try if there is room. */
  look(): boolean {
    if (!this.seen && this.open.size < this.most) {
      let socket: net.Socket | undefined;
      void sshBannerAnswers(this.host, this.port, 2000, (s) => {
        socket = s;
        this.open.add(s);
      }).then((ok) => {
        if (socket) this.open.delete(socket);
        if (ok) this.seen = true;
      });
    }
    return this.seen;
  }

  /** Ends the tries still open (they would keep the process alive for up to 2 s). */
  close(): void {
    for (const s of this.open) s.destroy();
    this.open.clear();
  }
}
