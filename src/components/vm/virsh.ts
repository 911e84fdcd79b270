// The VM's edge to libvirt (VM_ENGINE=libvirt): virsh on the system instance, as argv. What
// virsh prints was recorded on libvirt 9.0 (test/fixtures/libvirt/README.md).
import { OperationError } from '../../errors.js';
import { type ChardevInfo, connectedChardevsOf, type QmpCpu, vcpuThreadsOf } from '../../io/qmp-client.js';
import { quoteArgv } from '../../shell/quote.js';
import { LWAFTRCTL_NS } from './libvirt-xml.js';

export const LIBVIRT_URI = 'qemu:///system';

export function virshArgv(...args: string[]): string[] {
  return ['virsh', '-c', LIBVIRT_URI, ...args];
}

export interface VirshResult {
  code: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** One virsh command; never throws for its exit code (callers decide), ended after timeoutMs. */
export async function virsh(args: string[], timeoutMs = 30_000): Promise<VirshResult> {
  const { execa } = await import('execa');
  const [file, ...rest] = virshArgv(...args);
  const r = await execa(file!, rest, { reject: false, stdin: 'ignore', timeout: timeoutMs });
  if ((r.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT')
    throw new OperationError('virsh is not installed', 'apt-get install libvirt-clients libvirt-daemon-system');
  return { code: r.exitCode ?? -1, stdout: r.stdout.trim(), stderr: r.stderr.trim(), timedOut: r.timedOut };
}

/** A virsh failure that waiting will not cure: libvirtd is not there. */
function unreachable(r: VirshResult, args: string[]): OperationError {
  const down = /failed to connect to the hypervisor|Failed to connect socket/i.test(r.stderr);
  return new OperationError(
    down
      ? `libvirtd does not answer on ${LIBVIRT_URI} (VM_ENGINE=libvirt)`
      : `${quoteArgv(virshArgv(...args))} failed (exit ${r.code})`,
    down ? 'start libvirtd: systemctl start libvirtd (the lab: scripts/lab/libvirtd.sh start)' : undefined,
    r.stderr || undefined,
  );
}

const NO_DOMAIN = /failed to get domain|Domain not found/i;

export interface DomainState {
  /** running, paused, shut off, … as `virsh domstate` words it. */
  state: string;
  reason: string;
}

/** The domain's state and why, or undefined when libvirt has no domain of that name. */
export async function domainState(domain: string): Promise<DomainState | undefined> {
  const args = ['domstate', '--reason', domain];
  const r = await virsh(args);
  if (r.code !== 0) {
    if (NO_DOMAIN.test(r.stderr)) return undefined;
    throw unreachable(r, args);
  }
  const m = /^(.+?) \((.*)\)$/.exec(r.stdout.split('\n')[0]!.trim());
  return m ? { state: m[1]!, reason: m[2]! } : { state: r.stdout.trim(), reason: '' };
}

/** The state folder of the lwaftrctl instance that defined the domain (its <metadata>), or undefined. */
export async function domainOwnerStateDir(domain: string): Promise<string | undefined> {
  const r = await virsh(['metadata', domain, '--uri', LWAFTRCTL_NS]);
  if (r.code !== 0) return undefined;
  const value = /stateDir=["']([^"']*)["']/.exec(r.stdout)?.[1];
  return value === undefined ? undefined : unescapeXml(value);
}

function unescapeXml(text: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', apos: "'", quot: '"' };
  return text.replace(/&(amp|lt|gt|apos|quot|#\d+);/g, (_, e: string) =>
    e.startsWith('#') ? String.fromCharCode(Number(e.slice(1))) : named[e]!,
  );
}

/** A QMP command through libvirt (which holds QEMU's monitor); undefined when the domain does not run. */
export async function monitorCommand<T>(domain: string, execute: string): Promise<T | undefined> {
  const r = await virsh(['qemu-monitor-command', domain, JSON.stringify({ execute })]);
  if (r.code !== 0) return undefined;
  return (JSON.parse(r.stdout) as { return: T }).return;
}

/** Which of the chardevs (libvirt's labels) QEMU sees connected; undefined when QEMU does not answer. */
export async function connectedChardevs(domain: string, labels: string[]): Promise<Map<string, boolean> | undefined> {
  const devs = await monitorCommand<ChardevInfo[]>(domain, 'query-chardev');
  if (!devs) return undefined;
  return connectedChardevsOf(devs, labels);
}

export async function vcpuThreads(domain: string): Promise<{ vcpu: number; threadId: number }[] | undefined> {
  const cpus = await monitorCommand<QmpCpu[]>(domain, 'query-cpus-fast');
  return cpus && vcpuThreadsOf(cpus);
}
