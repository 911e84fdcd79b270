// The chain as systemd units (`lwaftrctl export systemd <dir>`): generic templates, and per
// instance drop-ins holding what a template cannot (CPUAffinity=, NUMAPolicy= and PIDFile= take
// no environment variables, and an instance name <NAME>-<port> cannot be split). Each unit runs
// lwaftrctl, so that readiness, identity (pid file + start time + command line) and the stop
// order are lwaftrctl's own: `lwaftrctl status` sees a chain that systemd started.
import type { Config, NfvPort } from '../../config/types.js';
import { instancePaths } from '../../plan/instance-paths.js';
import { formatCoreList } from '../../util/core-list.js';

export interface UnitFile {
  /** Relative to the folder the units go into. */
  path: string;
  content: string;
}

const HEADER = '# Written by lwaftrctl export systemd; lwaftrctl -f CONF export systemd DIR writes it again.';

/** A word of an Exec line or a path setting: specifiers (%) and variables ($) literal, quoted when it has spaces. */
export function unitWord(word: string): string {
  const literal = word.replace(/%/g, '%%').replace(/\$/g, '$$$$');
  return /[\s"'\\]/.test(literal) ? `"${literal.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"` : literal;
}

/** Environment="A=b c" "D=e": quoted assignments, specifiers literal. */
function environment(vars: Record<string, string>): string {
  const quoted = Object.entries(vars).map(
    ([k, v]) => `"${`${k}=${v}`.replace(/%/g, '%%').replace(/(["\\])/g, '\\$1')}"`,
  );
  return `Environment=${quoted.join(' ')}`;
}

function seconds(ms: number): number {
  return Math.ceil(ms / 1000);
}

export function renderSystemdUnits(config: Config, lwaftrctl: string): UnitFile[] {
  const program = unitWord(lwaftrctl);
  const run = (words: string) => `${program} -f \${LWAFTRCTL_CONF} ${words}`;
  const name = config.name;
  return [
    { path: 'lwaftr-snabbnfv@.service', content: backendTemplate(run('backend ${SNABBNFV_PORT}')) },
    { path: 'lwaftr-vm@.service', content: vmTemplate(run('vm start'), run('vm stop')) },
    { path: 'lwaftr-guest@.service', content: guestTemplate(run('lwaftr start'), run('lwaftr stop')) },
    { path: 'lwaftr@.target', content: TARGET },
    ...config.snabbnfv.ports.map((port) => ({
      path: `lwaftr-snabbnfv@${name}-${port.index}.service.d/lwaftrctl.conf`,
      content: backendDropIn(config, port),
    })),
    { path: `lwaftr-vm@${name}.service.d/lwaftrctl.conf`, content: vmDropIn(config) },
    { path: `lwaftr-guest@${name}.service.d/lwaftrctl.conf`, content: guestDropIn(config) },
  ];
}

function backendTemplate(execStart: string): string {
  return `${HEADER}
# One snabbnfv backend of a virtualized lwAFTR: instance <NAME>-<port>, e.g. lwaftr1-1. lwaftrctl
# starts it detached (no screen), writes the pid file and identity record that \`lwaftrctl
# snabbnfv start\` writes, and returns once it prints its first load report; systemd then
# supervises it through PIDFile= (in the instance's drop-in, with its cores and config).
[Unit]
Description=snabbnfv backend %i of a virtualized lwAFTR (lwaftrctl)

[Service]
Type=forking
ExecStart=${execStart}
# A backend that dies is started again; QEMU keeps its socket and the guest link comes back.
Restart=on-failure
RestartSec=1
`;
}

function vmTemplate(execStart: string, execStop: string): string {
  return `${HEADER}
# The VM of instance %i: lwaftrctl vm start (QEMU it runs itself, or a libvirt domain, as
# VM_ENGINE says) returns once the guest's SSH answers. After the backends: QEMU waits for them.
# Wants=, not Requires=: a backend's own restart must not restart the VM (it reconnects).
[Unit]
Description=lwAFTR VM %i (lwaftrctl)
Wants=lwaftr-snabbnfv@%i-1.service lwaftr-snabbnfv@%i-2.service
After=lwaftr-snabbnfv@%i-1.service lwaftr-snabbnfv@%i-2.service
PartOf=lwaftr@%i.target

[Service]
Type=oneshot
# Without it the unit ends when lwaftrctl returns, and systemd kills QEMU with it.
RemainAfterExit=yes
ExecStart=${execStart}
ExecStop=${execStop}
`;
}

function guestTemplate(execStart: string, execStop: string): string {
  return `${HEADER}
# The lwAFTR inside the VM of instance %i, started and stopped over SSH by lwaftrctl; ordered
# after the VM, so that it is stopped before the VM is.
[Unit]
Description=lwAFTR in the VM of %i (lwaftrctl)
Requires=lwaftr-vm@%i.service
After=lwaftr-vm@%i.service
PartOf=lwaftr@%i.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=${execStart}
ExecStop=${execStop}
`;
}

const TARGET = `${HEADER}
# The whole chain of instance %i: systemctl enable --now lwaftr@<NAME>.target
[Unit]
Description=virtualized lwAFTR %i (backends, VM, guest lwAFTR; lwaftrctl)
Wants=lwaftr-guest@%i.service

[Install]
WantedBy=multi-user.target
`;

function backendDropIn(config: Config, port: NfvPort): string {
  const p = instancePaths(config).snabbnfv[port.index];
  const t = config.timeouts;
  const numa =
    config.numaNode === undefined ? [] : ['NUMAPolicy=bind', `NUMAMask=${formatCoreList([config.numaNode])}`];
  return `${HEADER}
# Port ${port.index} of ${config.file}: ${port.pci} <-> ${port.socket}
[Unit]
PartOf=lwaftr@${config.name}.target

[Service]
${environment({ LWAFTRCTL_CONF: config.file, SNABBNFV_PORT: String(port.index) })}
PIDFile=${unitWord(p.pidFile)}
# systemd removes the pid file when the backend ends; its identity record goes too, so that
# lwaftrctl status says stopped, not died.
ExecStopPost=/bin/rm -f ${unitWord(p.record)}
CPUAffinity=${port.core}
${numa.map((l) => `${l}\n`).join('')}TimeoutStartSec=${seconds(t.snabbnfvStartMs + t.lockMs) + 10}
TimeoutStopSec=${seconds(2 * t.termMs)}
`;
}

function vmDropIn(config: Config): string {
  const t = config.timeouts;
  const libvirt =
    config.vm.engine === 'libvirt'
      ? "# VM_ENGINE=libvirt: the domain is libvirt's to run.\nRequires=libvirtd.service\nAfter=libvirtd.service\n"
      : '';
  return `${HEADER}
# The VM of ${config.file} (VM_ENGINE=${config.vm.engine}); lwaftrctl's own deadlines are below these.
[Unit]
${libvirt}PartOf=lwaftr@${config.name}.target

[Service]
${environment({ LWAFTRCTL_CONF: config.file })}
TimeoutStartSec=${seconds(t.lockMs + t.vmStartMs * 2 + t.sshMs) + 30}
TimeoutStopSec=${seconds(t.lockMs + t.lwaftrStartMs + t.powerdownMs + t.quitMs + 2 * t.termMs) + 30}
`;
}

function guestDropIn(config: Config): string {
  const t = config.timeouts;
  return `${HEADER}
# The guest lwAFTR of ${config.file}.
[Service]
${environment({ LWAFTRCTL_CONF: config.file })}
TimeoutStartSec=${seconds(t.lockMs + t.sshConnectMs + t.lwaftrStartMs) + 30}
TimeoutStopSec=${seconds(t.lockMs + t.sshConnectMs + t.lwaftrStartMs + 2 * t.termMs) + 30}
`;
}
