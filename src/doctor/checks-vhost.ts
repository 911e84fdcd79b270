// vhost-user sockets and port files; the tap management NIC's devices.
import path from 'node:path';
import { MAX_SOCKET_PATH } from '../config/parse-values.js';
import type { Config, NfvPort } from '../config/types.js';
import { existingAncestor } from './checks-programs.js';
import { unixListeners } from './host-facts.js';
import { readPortFileMacs } from './port-file.js';
import { ev, fail, keyName, ok, spec, warn } from './result.js';
import type { CheckResult, DoctorOptions, HostView } from './types.js';

export function checkVhostUser(config: Config, view: HostView, options: DoctorOptions): CheckResult[] {
  const listeners = unixListeners(view.read('/proc/net/unix') ?? '');
  return config.snabbnfv.ports.flatMap((port) => [
    checkSocketPath(config, view, port),
    checkSocketFile(config, view, port, listeners, options),
    checkPortFile(config, view, port),
  ]);
}

function checkSocketPath(config: Config, view: HostView, port: NfvPort): CheckResult {
  const key = `SNABBNFV_SOCK${port.index}`;
  const s = spec(config, `socket-path-${port.index}`, 'vm', `port ${port.index} socket path`, key);
  const bytes = Buffer.byteLength(port.socket);
  const dir = path.dirname(port.socket);
  const info = view.stat(dir);
  const evidence = [ev(port.socket, `${bytes} bytes`), ev(dir, info?.kind ?? 'missing')];
  if (bytes > MAX_SOCKET_PATH)
    return fail(
      s,
      `${port.socket} is ${bytes} bytes; a unix socket path can have at most ${MAX_SOCKET_PATH}`,
      evidence,
      `set ${keyName(config, key)} to a shorter path`,
    );
  if (!info) {
    // lwaftrctl makes its state folder itself (mkdir -p); any other folder must exist.
    const ancestor = existingAncestor(view, dir);
    if (port.socket.startsWith(`${config.stateDir}/`) && view.access(ancestor, 'w'))
      return ok(s, `${dir} is made at start (STATE_DIR); ${bytes} bytes`, evidence);
    return fail(s, `the socket folder ${dir} does not exist`, evidence, `mkdir -p ${dir}`);
  }
  if (info.kind !== 'dir')
    return fail(
      s,
      `${dir} is a ${info.kind}, not a folder`,
      evidence,
      `set ${keyName(config, key)} to a path in a folder`,
    );
  if (!view.access(dir, 'wx'))
    return fail(
      s,
      `QEMU cannot create its socket in ${dir}: not writable`,
      evidence,
      `chmod u+w ${dir}, or run as root`,
    );
  return ok(s, `${dir} is writable; the path is ${bytes} bytes (at most ${MAX_SOCKET_PATH})`, evidence);
}

/** QEMU replaces whatever is at the path when it starts: a file there is lost, a live socket stolen. */
function checkSocketFile(
  config: Config,
  view: HostView,
  port: NfvPort,
  listeners: Set<string>,
  options: DoctorOptions,
): CheckResult {
  const key = `SNABBNFV_SOCK${port.index}`;
  const s = spec(config, `socket-stale-${port.index}`, 'vm', `port ${port.index} socket free`, key);
  const info = view.stat(port.socket);
  const listened = listeners.has(port.socket);
  const evidence = [
    ev(port.socket, info?.kind ?? 'missing'),
    ev('/proc/net/unix', listened ? 'listening' : 'nobody listens'),
  ];
  if (!info) return ok(s, 'no socket yet: QEMU makes it at start', evidence);
  if (info.kind !== 'socket')
    return fail(
      s,
      `${port.socket} is a ${info.kind}, not a socket: QEMU would delete it to make its socket`,
      evidence,
      `move it away, or set ${keyName(config, key)} to another path`,
    );
  if (listened && options.vmRunning) return ok(s, "this instance's QEMU listens on it", evidence);
  if (listened)
    return fail(
      s,
      `a process already listens on ${port.socket} (another VM?): this VM would take the path from it`,
      evidence,
      `set ${keyName(config, key)} to a path of this instance's own (e.g. under STATE_DIR), ` +
        `or stop the other VM (ss -xlp | grep ${port.socket})`,
    );
  return warn(
    s,
    `${port.socket} is left from a QEMU that was killed: nobody listens on it, so a snabbnfv started before ` +
      'QEMU is refused until QEMU replaces it',
    evidence,
    `rm ${port.socket}`,
  );
}

function checkPortFile(config: Config, view: HostView, port: NfvPort): CheckResult {
  const macKey = keyName(config, `SNABBNFV_MAC${port.index}`);
  const s = spec(
    config,
    `port-file-${port.index}`,
    'snabbnfv',
    `port ${port.index} port file`,
    `SNABBNFV_CONF${port.index}`,
  );
  const text = view.read(port.portConf);
  if (text === undefined)
    return fail(
      s,
      `the port file ${port.portConf} does not exist or cannot be read`,
      [ev(port.portConf, 'missing')],
      `write it (return { { port_id = "A", mac_address = "${port.mac}" } }), ` +
        `or fix ${keyName(config, `SNABBNFV_CONF${port.index}`)}`,
    );
  const { macs, computed } = readPortFileMacs(text);
  const evidence = [
    ev(`${port.portConf} mac_address`, macs.join(' ') || (computed ? '(computed)' : 'none')),
    ev(macKey, port.mac),
  ];
  if (macs.some((m) => m.toLowerCase() === port.mac))
    return ok(s, `its mac_address matches ${macKey} (${port.mac})`, evidence);
  if (macs.length === 0 && computed)
    return warn(
      s,
      `its mac_address is computed, not written out: cannot check it against ${macKey} (${port.mac})`,
      evidence,
      `write mac_address = "${port.mac}" in ${port.portConf}`,
    );
  if (macs.length === 0)
    return fail(
      s,
      `${port.portConf} has no mac_address: snabbnfv cannot match the guest NIC`,
      evidence,
      `add mac_address = "${port.mac}" to the port's table in ${port.portConf}`,
    );
  return fail(
    s,
    `its mac_address ${macs.join(', ')} is not ${macKey} (${port.mac}, the guest NIC's MAC): snabbnfv would ` +
      'drop its traffic',
    evidence,
    `set mac_address = "${port.mac}" in ${port.portConf}, or ${macKey}=${macs[0]}`,
  );
}

/** A tap management NIC needs /dev/net/tun; /dev/vhost-net only with MGMT_VHOST=yes (or vhost=on in QEMU_ARGS). */
export function checkTap(config: Config, view: HostView): CheckResult[] {
  if (config.vm.mgmt.kind !== 'tap') return [];
  const tun = spec(config, 'tun-device', 'vm', '/dev/net/tun', 'MGMT_NET');
  const tunInfo = view.stat('/dev/net/tun');
  const results = [
    tunInfo?.kind === 'char'
      ? ok(tun, 'QEMU can create the tap device', [ev('/dev/net/tun', 'char')])
      : fail(
          tun,
          'there is no /dev/net/tun: QEMU cannot create the tap NIC',
          [ev('/dev/net/tun', tunInfo?.kind ?? 'missing')],
          'modprobe tun',
        ),
  ];
  const inArgs = config.vm.extraArgs.some((a) => /(^|,)vhost=on(,|$)/.test(a));
  const vhost = spec(config, 'vhost-net', 'vm', '/dev/vhost-net', inArgs ? 'QEMU_ARGS' : 'MGMT_VHOST');
  const present = view.stat('/dev/vhost-net')?.kind === 'char';
  const asked = config.vm.mgmt.vhost || inArgs;
  const evidence = [ev('/dev/vhost-net', present ? 'char' : 'missing')];
  if (present) results.push(ok(vhost, '/dev/vhost-net is there', evidence));
  else if (asked)
    results.push(
      fail(
        vhost,
        `${vhost.key}${inArgs ? ' asks for' : ' is yes:'} vhost=on, but there is no /dev/vhost-net: QEMU aborts`,
        evidence,
        `modprobe vhost_net, or ${inArgs ? 'drop vhost=on from QEMU_ARGS' : `set ${vhost.key}=no`}`,
      ),
    );
  else
    results.push(
      ok(vhost, 'not needed: the management NIC runs without vhost=on (there is no /dev/vhost-net)', evidence),
    );
  return results;
}
