// The snabbnfv section: two ports, each a NIC, a port file, a core, a MAC and a socket.
import path from 'node:path';
import { hostPathIn, parseInteger, parseMac, parsePci, parseYesNo, socketPathIn } from './parse-values.js';
import type { Settings } from './settings.js';
import type { NfvPort, SnabbnfvConfig } from './types.js';

export function buildSnabbnfv(s: Settings): SnabbnfvConfig | undefined {
  const confDir = path.dirname(s.ctx.file);
  const hostPath = hostPathIn(confDir);
  const socketPath = socketPathIn(confDir);
  const ports = ([1, 2] as const).map(
    (index): Partial<NfvPort> => ({
      index,
      pci: s.required(`SNABBNFV_PCI${index}`, parsePci),
      portConf: s.required(`SNABBNFV_CONF${index}`, hostPath),
      core: s.required(`SNABBNFV_CORE${index}`, (v) => parseInteger(v, 0, 4095)),
      mac: s.value(`SNABBNFV_MAC${index}`, parseMac),
      socket: s.value(`SNABBNFV_SOCK${index}`, socketPath),
    }),
  );
  const [one, two] = ports as [Partial<NfvPort>, Partial<NfvPort>];
  // A bad value stands in as its default meanwhile: compare only values that were good.
  const good = (key: string) => !s.hasProblem(`${key}1`) && !s.hasProblem(`${key}2`);
  if (one.socket === two.socket && good('SNABBNFV_SOCK'))
    s.problem('SNABBNFV_SOCK2', `is the same socket as SNABBNFV_SOCK1 (${one.socket}); each port needs its own`);
  if (one.mac === two.mac && good('SNABBNFV_MAC'))
    s.problem('SNABBNFV_MAC2', `is the same MAC as SNABBNFV_MAC1 (${one.mac}); each guest NIC needs its own`);
  if (one.pci && one.pci !== 'soft' && one.pci === two.pci)
    s.problem('SNABBNFV_PCI2', 'is the same NIC as SNABBNFV_PCI1; each port drives its own NIC (or soft)');
  const busyWait = s.value('SNABBNFV_BUSYWAIT', parseYesNo);
  if (ports.some((p) => p.pci === undefined || p.portConf === undefined || p.core === undefined)) return undefined;
  return { busyWait, ports: ports as [NfvPort, NfvPort] };
}
