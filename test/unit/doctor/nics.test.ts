import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkNics } from '../../../src/doctor/checks-nics.js';
import { byId, conf, fixtureView, removeFixtureCopies, states } from './fixture-host.js';

afterAll(removeFixtureCopies);

// The fixture host: 0000:02:00.0 on node 1 bound to ixgbe; 0000:02:00.1 bound to ixgbe as eth5, which the
// host uses; 0000:00:1f.2 a SATA controller; the IOMMU on without iommu=pt. MINIMAL uses .0 and .1 on cores 1, 2.
const eth5Ipv4 = async (iface: string) => (iface === 'eth5' ? ['192.0.2.5/24'] : []);

describe('NICs', () => {
  it('checks each NIC and the IOMMU', async () => {
    const results = await checkNics(conf(), fixtureView('nics', { ipv4Addresses: eth5Ipv4 }).view);
    expect(states(results)).toEqual({
      'nic-present-1': 'ok',
      'nic-numa-1': 'warn',
      'nic-in-use-1': 'ok',
      'nic-present-2': 'ok',
      'nic-numa-2': 'ok',
      'nic-in-use-2': 'fail',
      iommu: 'warn',
    });
    expect(byId(results, 'nic-in-use-1').message).toBe(
      'bound to the kernel driver ixgbe, which snabbnfv unbinds when it starts; ' + 'no host network interface on it',
    );
    const used = byId(results, 'nic-in-use-2');
    expect(used.message).toContain('the host uses this NIC (eth5 has 192.0.2.5/24, 2001:db8:0:0:0:0:0:5)');
    expect(used.fix).toContain('ip addr flush dev eth5');
    expect(byId(results, 'iommu').fix).toContain('iommu=pt');
  });

  it.each([
    ['0000:03:00.0', 'fail', 'there is no PCI device 0000:03:00.0 on this host'],
    ['0000:00:1f.2', 'warn', 'is not a network controller (PCI class 0x010601)'],
  ])('port 1 on %s → %s', async (pci, state, text) => {
    const r = byId(await checkNics(conf(`SNABBNFV_PCI1=${pci}`), fixtureView('nics').view), 'nic-present-1');
    expect(r.state).toBe(state);
    expect(r.message).toContain(text);
    expect(r.key).toBe('SNABBNFV_PCI1');
  });

  it('a NIC on another NUMA node than its core warns; on the same node passes', async () => {
    const away = byId(await checkNics(conf(), fixtureView('nics').view), 'nic-numa-1');
    expect(away.message).toBe(
      'the NIC 0000:02:00.0 is on NUMA node 1, but its snabbnfv core 1 is on node 0: every packet crosses nodes',
    );
    expect(away.fix).toContain('NUMA_NODE=1');
    const near = byId(await checkNics(conf('NUMA_NODE=1\nSNABBNFV_CORE1=5'), fixtureView('nics').view), 'nic-numa-1');
    expect(near.state).toBe('ok');
    const numaMismatch = byId(
      await checkNics(conf('NUMA_NODE=0\nSNABBNFV_CORE1=5'), fixtureView('nics').view),
      'nic-numa-1',
    );
    expect(numaMismatch.message).toContain('but NUMA_NODE is 0');
  });

  it('an interface with only a link-local address is not in use', async () => {
    const { root, view } = fixtureView('nics');
    const inet6 = path.join(root, 'proc/net/if_inet6');
    fs.writeFileSync(
      inet6,
      fs
        .readFileSync(inet6, 'utf8')
        .split('\n')
        .filter((l) => !l.startsWith('2001'))
        .join('\n'),
    );
    const r = byId(await checkNics(conf(), view), 'nic-in-use-2');
    expect(r.state).toBe('ok');
    expect(r.message).toContain('its interface eth5 carries no addresses');
  });

  it('an IOMMU in passthrough mode passes', async () => {
    const r = byId(await checkNics(conf(), fixtureView(['nics', 'iommu-pt']).view), 'iommu');
    expect(r).toMatchObject({ state: 'ok', message: 'the IOMMU passes DMA through (iommu=pt) or is off' });
  });

  it('no NIC (soft): nothing to check', async () => {
    expect(await checkNics(conf('SNABBNFV_PCI1=soft\nSNABBNFV_PCI2=soft'), fixtureView('nics').view)).toEqual([]);
  });
});
