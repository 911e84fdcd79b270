import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { canListen, createHostView, runWithDeadline } from '../../../src/doctor/host-view.js';
import { fixtureRoot, removeFixtureCopies } from './fixture-host.js';

afterAll(removeFixtureCopies);

describe('files under a root folder', () => {
  const root = fixtureRoot('programs', 'kvm', 'nics');
  const view = createHostView({ root, pathDirs: ['/usr/local/bin', '/usr/bin', '/opt/noexec/src'] });

  it('reads, stats, lists and follows links under the root, naming host paths', () => {
    expect(view.read('/proc/self/status')).toContain('Uid:\t0');
    expect(view.read('/proc/none')).toBeUndefined();
    expect(view.stat('/vm/bzImage')).toEqual({ kind: 'file', size: 7, mode: 0o644 });
    expect(view.stat('/dev/kvm')?.kind).toBe('char');
    expect(view.stat('/vm')?.kind).toBe('dir');
    expect(view.stat('/vm/none')).toBeUndefined();
    expect(view.list('/vm')?.sort()).toEqual(['bzImage', 'empty.img']);
    expect(view.list('/none')).toBeUndefined();
    expect(view.readLink('/sys/bus/pci/devices/0000:02:00.0/driver')).toBe('../../../../bus/pci/drivers/ixgbe');
    expect(view.readLink('/vm/bzImage')).toBeUndefined();
  });

  it('finds programs on PATH (executable files only) and by path', () => {
    expect(view.which('screen')).toBe('/usr/bin/screen');
    expect(view.which('snabb')).toBeUndefined();
    expect(view.which('/opt/snabb/src/snabb')).toBe('/opt/snabb/src/snabb');
    expect(view.which('/opt/noexec/src/snabb')).toBeUndefined();
    expect(view.which('/vm')).toBeUndefined();
  });

  it('tells access as this process has it', () => {
    fs.chmodSync(path.join(root, 'etc/netscript'), 0o644);
    expect(view.access('/etc/netscript', 'r')).toBe(true);
    expect(view.access('/etc/netscript', 'x')).toBe(false);
    expect(view.access('/etc/none', 'r')).toBe(false);
  });

  it('the default root is the host itself', () => {
    expect(createHostView().read('/proc/self/status')).toMatch(/^Uid:/m);
  });
});

describe('running programs with a deadline', () => {
  it('returns the exit code and both outputs', async () => {
    const r = await runWithDeadline(['sh', '-c', 'echo out; echo err >&2; exit 3'], { timeoutMs: 5000 });
    expect(r).toMatchObject({ code: 3, stdout: 'out', stderr: 'err', timedOut: false, matched: false });
  });

  it('stops a program at its deadline', async () => {
    const r = await runWithDeadline(['sleep', '10'], { timeoutMs: 200 });
    expect(r).toMatchObject({ timedOut: true, code: null });
    expect(r.ms).toBeLessThan(1500);
  });

  it('stops a program as soon as its output shows what was awaited', async () => {
    const r = await runWithDeadline(['sh', '-c', 'printf "booting\\nLinux version 6.1\\n"; exec sleep 10'], {
      timeoutMs: 5000,
      until: 'Linux version',
    });
    expect(r).toMatchObject({ matched: true, timedOut: false, code: null, signal: 'SIGKILL' });
    expect(r.ms).toBeLessThan(1500);
  });

  it('says why a program could not start', async () => {
    const r = await runWithDeadline(['/nonexistent/qemu'], { timeoutMs: 1000 });
    expect(r.code).toBeNull();
    expect(r.startError).toContain('ENOENT');
  });

  it("reads an interface's IPv4 addresses with ip -j", async () => {
    expect(await createHostView().ipv4Addresses('lo')).toContain('127.0.0.1/8');
    expect(await createHostView().ipv4Addresses('no-such-if0')).toBeUndefined();
  });
});

describe('port probe', () => {
  it('a port something listens on is not free; once closed it is', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    expect(await canListen('127.0.0.1', port)).toBe(false);
    await new Promise((resolve) => server.close(resolve));
    expect(await canListen('127.0.0.1', port)).toBe(true);
  });
});
