// The guest's SSH banner, looked for as a boot needs: a connection that stays silent (a SYN lost
// while the guest's NIC was down) must not hold up the next look.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BannerProbe, sshBannerAnswers } from '../../src/io/ssh-banner.js';
import { eventually } from '../helpers/eventually.js';

let server: net.Server | undefined;
afterEach(() => server?.close());

/** Accepts every connection; the first stays silent, the later ones get `reply`. */
async function listen(reply: string): Promise<{ port: number; sockets: net.Socket[] }> {
  const sockets: net.Socket[] = [];
  server = net.createServer((s) => {
    sockets.push(s);
    s.on('error', () => undefined);
    if (sockets.length > 1) s.write(reply);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as net.AddressInfo).port, sockets };
}

describe('the SSH banner', () => {
  it('one look: the banner, or not', async () => {
    const { port } = await listen('SSH-2.0-dropbear\r\n');
    expect(await sshBannerAnswers('127.0.0.1', port, 200)).toBe(false); // the silent first one
    expect(await sshBannerAnswers('127.0.0.1', port, 200)).toBe(true);
    server!.close();
    const other = await listen('HTTP/1.1 400\r\n');
    await sshBannerAnswers('127.0.0.1', other.port, 200);
    expect(await sshBannerAnswers('127.0.0.1', other.port, 200)).toBe(false);
  });

  it('a silent connection does not hold up the next try: seen within a few looks, then all closed', async () => {
    const { port, sockets } = await listen('SSH-2.0-dropbear\r\n');
    const probe = new BannerProbe('127.0.0.1', port);
    const began = Date.now();
    await eventually('the banner', () => probe.look(), { ms: 1500, every: 50 });
    // The first try alone would have waited its 2 s.
    expect(Date.now() - began).toBeLessThan(1000);
    probe.close();
    await eventually('every try closed', () => sockets.every((s) => s.destroyed || s.readableEnded), {
      ms: 1000,
      every: 20,
    });
  });
});
