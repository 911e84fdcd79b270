// status for people: one line per component, its details indented, the fix last.

import { HEADLINE_COUNTERS } from '../components/lwaftr/counters.js';
import type { InstanceStatus, LwaftrStatus, SnabbnfvStatus, VmStatus } from '../components/status-types.js';
import type { Config } from '../config/types.js';
import type { SingleComponent } from '../plan/component-names.js';

export function formatStatus(config: Config, shown: SingleComponent[], status: InstanceStatus): string {
  const lines = [`instance ${config.name} (${config.file}), state in ${config.stateDir}`];
  for (const c of shown) {
    const s = status[c];
    lines.push(`${c.padEnd(9)} ${s.state}${s.reason ? `: ${s.reason}` : ''}`);
    for (const detail of DETAILS[c](s as never)) lines.push(`          ${detail}`);
    if (s.fix) lines.push(`          fix: ${s.fix}`);
  }
  return `${lines.join('\n')}\n`;
}

const up = (sec: number | null) => (sec === null ? '' : `, up ${sec}s`);

const DETAILS: { [C in SingleComponent]: (s: InstanceStatus[C]) => string[] } = {
  snabbnfv: (s: SnabbnfvStatus) =>
    s.ports.map((p) => {
      const conn = p.backendConnected === null ? '' : p.backendConnected ? ', connected' : ', NOT connected';
      const core = `core ${p.core.wanted}${p.core.actual ? ` (affinity ${p.core.actual})` : ''}`;
      const attach = p.attach ? `; attach: ${p.attach}` : '';
      const pid = p.pid ? ` pid ${p.pid}` : '';
      const load = p.load && p.state === 'running' ? `, ${p.load.fps} frames/s` : '';
      const moved = p.traffic ? `, ${p.traffic.toVmPackets} to VM / ${p.traffic.fromVmPackets} from VM` : '';
      return (
        `port ${p.port}: ${p.state}${pid}${up(p.uptimeSeconds)}, ${core}, ${p.pci} <-> ` +
        `${p.socket}${conn}${load}${moved}${attach}; log ${p.log}`
      );
    }),
  vm: (s: VmStatus) => {
    if (!s.pid) return [`logs ${s.logs.qemu}, ${s.logs.console}`];
    const pin = s.pinning;
    const vcpus = pin ? [...new Set(pin.vcpus.map((v) => v.actual))].join(' ') : '';
    const wanted = pin ? [...new Set(pin.vcpus.map((v) => v.wanted))].join(' ') : '';
    return [
      `pid ${s.pid}${up(s.uptimeSeconds)}, ${vmState(s)}, guest SSH ${s.ssh} ` +
        `${s.guestReachable ? 'answers' : 'does not answer'}`,
      ...(pin
        ? [
            `vCPU threads on ${vcpus} (wanted ${wanted}); other threads on ${pin.emulator.actual} (wanted ` +
              `${pin.emulator.wanted})`,
          ]
        : []),
      `logs ${s.logs.qemu}, console ${s.logs.console}`,
    ];
  },
  lwaftr: (s: LwaftrStatus) => [
    `${s.pid ? `guest pid ${s.pid}; ` : ''}log ${s.log}`,
    ...(s.counters ? [`packets: ${headline(s.counters, s.rates)}`] : []),
    ...(s.lastLine ? [`last: ${s.lastLine}`] : []),
  ],
};

/** The counters a person looks at first, with their rates when a previous status read them. */
function headline(counters: Record<string, number>, rates: Record<string, number> | null): string {
  return HEADLINE_COUNTERS.filter(([, name]) => counters[name] !== undefined)
    .map(([label, name]) => `${label} ${counters[name]}${rates?.[name] === undefined ? '' : ` (${rates[name]}/s)`}`)
    .join(', ');
}

/** Under libvirt the state is the domain's (virsh domstate); under qemu, QMP's. */
function vmState(s: VmStatus): string {
  if (s.domain) return `libvirt domain ${s.domain.name} ${s.domain.state} (${s.domain.reason})`;
  return `QMP ${s.qmpStatus ?? 'not answering'}`;
}
