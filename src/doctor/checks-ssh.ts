// Guest SSH from the host: the key, known_hosts, and the way to the guest (forwarded port or routed VM_IP).
import type { Config } from '../config/types.js';
import { hostsMatch, knownHostsName } from '../io/known-hosts.js';
import { ipv4ToNumber, parseRoutes } from './host-facts.js';
import { ev, fail, keyName, ok, skip, spec, warn } from './result.js';
import type { CheckResult, DoctorOptions, HostView } from './types.js';

export async function checkSsh(config: Config, view: HostView, options: DoctorOptions): Promise<CheckResult[]> {
  return [checkKey(config, view), checkKnownHosts(config, view), await checkPath(config, view, options)];
}

const DENIED = "run lwaftrctl as root (it reads the key as the user it runs as), or as the key's owner";

function checkKey(config: Config, view: HostView): CheckResult {
  const s = spec(config, 'ssh-key', 'vm', 'SSH key', 'VM_SSH_KEY');
  const file = config.ssh.identityFile;
  if (!file) return skip(s, 'VM_SSH_KEY is unset: ssh-agent, then ~/.ssh/id_ed25519, id_ecdsa or id_rsa are tried');
  const info = view.stat(file);
  // Never the key itself: only its size and mode.
  const evidence = [
    ev(file, info ? `${info.kind}, ${info.size} bytes, mode ${info.mode.toString(8).padStart(4, '0')}` : 'missing'),
  ];
  if (!info)
    return fail(
      s,
      `the SSH key ${file} does not exist`,
      evidence,
      `ssh-keygen -t ed25519 -f ${file}, and put ${file}.pub in the guest's authorized_keys`,
    );
  if (info.kind === 'denied')
    return fail(
      s,
      `the SSH key ${file} cannot be reached by this user (a folder on its way is closed)`,
      evidence,
      DENIED,
    );
  if (info.kind !== 'file' || info.size === 0)
    return fail(
      s,
      `the SSH key ${file} is ${info.kind !== 'file' ? `a ${info.kind}` : 'empty (0 bytes)'}`,
      evidence,
      `make a new key: ssh-keygen -t ed25519 -f ${file}, and put ${file}.pub in the guest's authorized_keys`,
    );
  const text = view.read(file);
  if (text === undefined) return fail(s, `the SSH key ${file} is not readable by this user`, evidence, DENIED);
  if (!/^-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text))
    return fail(
      s,
      `${file} is not a private key (it does not start with -----BEGIN ... PRIVATE KEY-----)`,
      evidence,
      'set VM_SSH_KEY to the private key, not the .pub file',
    );
  if (info.mode & 0o077)
    return warn(
      s,
      `the SSH key ${file} can be read by other users (mode ${info.mode.toString(8)}): ssh refuses such keys`,
      evidence,
      `chmod 600 ${file}`,
    );
  return ok(s, `the SSH key ${file} is private to its owner`, evidence);
}

function checkKnownHosts(config: Config, view: HostView): CheckResult {
  const ssh = config.ssh;
  const s = spec(config, 'known-hosts', 'vm', 'guest host key known', 'VM_KNOWN_HOSTS');
  const name = knownHostsName(ssh.host, ssh.port);
  const text = view.read(ssh.knownHosts);
  const fields = (text ?? '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#') && !l.startsWith('@'))
    .map((l) => l.split(/\s+/)[0]!);
  const listed = fields.some((f) => hostsMatch(f, name));
  const evidence = [
    ev(ssh.knownHosts, text === undefined ? 'missing' : `${fields.length} keys, ${listed ? '' : 'none '}for ${name}`),
  ];
  const keyscan =
    `ssh-keyscan ${ssh.port === 22 ? '' : `-p ${ssh.port} `}${ssh.host} >> ${ssh.knownHosts} ` +
    '(with the guest up, checking the key it prints)';
  if (ssh.hostKeyCheck === 'accept-new')
    return ok(
      s,
      `VM_HOST_KEY_CHECK=accept-new: the guest key is recorded${listed ? '' : ' on first connection'}`,
      evidence,
    );
  if (text === undefined)
    return fail(
      s,
      `VM_HOST_KEY_CHECK=yes needs the guest key in ${ssh.knownHosts}, which does not exist`,
      evidence,
      `${keyscan}, or set ${keyName(config, 'VM_HOST_KEY_CHECK')}=accept-new`,
    );
  if (!listed)
    return fail(
      s,
      `VM_HOST_KEY_CHECK=yes, but ${ssh.knownHosts} has no key for ${name}: the connection would be refused`,
      evidence,
      `${keyscan}, or set ${keyName(config, 'VM_HOST_KEY_CHECK')}=accept-new`,
    );
  return ok(s, `${ssh.knownHosts} has the key of ${name}`, evidence);
}

async function checkPath(config: Config, view: HostView, options: DoctorOptions): Promise<CheckResult> {
  const mgmt = config.vm.mgmt;
  if (mgmt.kind === 'user') {
    const s = spec(config, 'ssh-port-free', 'vm', `port 127.0.0.1:${mgmt.sshPort} free`, 'VM_SSH_PORT');
    const free = await view.portFree('127.0.0.1', mgmt.sshPort);
    const evidence = [ev(`listen on 127.0.0.1:${mgmt.sshPort}`, free ? 'free' : 'in use')];
    if (free) return ok(s, `QEMU can forward 127.0.0.1:${mgmt.sshPort} to the guest's SSH`, evidence);
    if (options.vmRunning) return ok(s, "this instance's QEMU forwards it", evidence);
    return fail(
      s,
      `127.0.0.1:${mgmt.sshPort} is taken by another program (or another VM): QEMU cannot forward it`,
      evidence,
      `set VM_SSH_PORT to a free port (ss -ltnp 'sport = :${mgmt.sshPort}' shows who holds this one)`,
    );
  }
  return checkRoute(config, view, options);
}

/** With a tap NIC the host reaches VM_IP through a route, normally the tap's own subnet. */
function checkRoute(config: Config, view: HostView, options: DoctorOptions): CheckResult {
  const mgmt = config.vm.mgmt;
  const ip = config.ssh.host;
  const s = spec(config, 'vm-ip-routed', 'vm', `route to ${ip}`, 'VM_IP');
  const target = ipv4ToNumber(ip);
  const routes = parseRoutes(view.read('/proc/net/route') ?? '').filter(
    (r) => r.mask !== 0 && (target & r.mask) >>> 0 === r.destination,
  );
  const best = routes.sort((a, b) => b.mask - a.mask)[0];
  const evidence = [ev('/proc/net/route', best ? `${ip} via ${best.iface}` : `no route to ${ip} but the default`)];
  if (best?.iface === (mgmt.kind === 'tap' ? mgmt.iface : undefined))
    return ok(s, `${ip} is routed through the tap ${best.iface}`, evidence);
  if (best)
    return warn(
      s,
      `${ip} is routed through ${best.iface}, not the tap NIC: SSH would not reach the guest`,
      evidence,
      'give the tap NIC an address in the guest subnet (in NETSCRIPT), and remove the other route',
    );
  const fix =
    `give the tap an address in ${ip}'s subnet: in NETSCRIPT, ` +
    'ip addr add <host address>/24 dev "$1" && ip link set "$1" up';
  if (options.vmRunning)
    return fail(s, `nothing routes ${ip} to the tap NIC: SSH cannot reach the guest`, evidence, fix);
  if (mgmt.kind === 'tap' && mgmt.script)
    return skip(s, `no route yet: NETSCRIPT ${mgmt.script} is expected to add it when QEMU starts`, evidence);
  return warn(s, `no route to ${ip}, and no NETSCRIPT to add one when QEMU starts`, evidence, fix);
}
