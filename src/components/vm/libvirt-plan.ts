// vm under libvirt (VM_ENGINE=libvirt): the same VM spec, rendered as a domain, defined, started
// paused, checked (backends connected, threads pinned), resumed, then the guest's SSH; stopped by
// ACPI (virsh shutdown), then virsh destroy, then undefined, so that nothing is left behind.
import path from 'node:path';
import type { Config } from '../../config/types.js';
import type { ProcessRef } from '../../io/process-identity.js';
import { instancePaths } from '../../plan/instance-paths.js';
import type { ComponentPlan, Step } from '../../plan/steps.js';
import { type DomainOwner, libvirtChardev, renderLibvirtDomain } from './libvirt-xml.js';
import { resolveVmSpec } from './spec.js';
import { virshArgv } from './virsh.js';

/** The group QEMU runs as under libvirt on Debian (qemu.conf's default user and group). */
export const LIBVIRT_QEMU_GROUP = 'libvirt-qemu';

export function domainOwner(config: Config): DomainOwner {
  return { config: config.file, stateDir: config.stateDir };
}

export function domainXml(config: Config): string {
  return renderLibvirtDomain(resolveVmSpec(config), domainOwner(config));
}

/** Where the XML the domain was defined from is kept: what `export libvirt` prints for this config. */
export function domainXmlFile(config: Config): string {
  return path.join(config.stateDir, 'domain.xml');
}

/** libvirt's QEMU: its pid file, and a command line naming the domain (libvirt's -name guest=NAME). */
export function libvirtQemuProcess(config: Config): ProcessRef {
  return {
    pidFile: `/run/libvirt/qemu/${config.name}.pid`,
    record: instancePaths(config).qemuRecord,
    cmdlineHas: ['-name', `guest=${config.name},debug-threads=on`],
    label: `QEMU (libvirt domain ${config.name})`,
  };
}

/** libvirt's log of QEMU's own output (through virtlogd). */
export function libvirtQemuLog(config: Config): string {
  return `/var/log/libvirt/qemu/${config.name}.log`;
}

export function libvirtStartPlan(config: Config): ComponentPlan {
  const xml = domainXmlFile(config);
  const steps: Step[] = [
    { kind: 'mkdir', path: config.stateDir },
    ...socketFolderSteps(config),
    { kind: 'write-file', path: xml, content: domainXml(config), note: 'the domain (lwaftrctl export libvirt)' },
    { kind: 'run', argv: virshArgv('define', xml), note: 'defines the domain, or updates its definition' },
    {
      kind: 'run',
      argv: virshArgv('start', '--paused', config.name),
      timeoutMs: config.timeouts.vmStartMs,
      note: 'returns once QEMU has both vhost-user backends connected (without one it would wait for ever)',
    },
    ...libvirtFinishStartSteps(config),
  ];
  return { component: 'vm', action: 'start', steps };
}

/**
 * Once QEMU runs paused: both backends connected as QEMU sees them, the threads pinned, resume,
 * then the guest's SSH. Also what a start that finds its domain paused (interrupted) still does.
 */
export function libvirtFinishStartSteps(config: Config): Step[] {
  const spec = resolveVmSpec(config);
  const domain = config.name;
  const timeoutMs = config.timeouts.vmStartMs;
  const { vcpus, emulator } = spec.pinning;
  const pidFile = libvirtQemuProcess(config).pidFile;
  const chardevs = spec.dataNics.map(libvirtChardev);
  const steps: Step[] = [{ kind: 'wait', for: { kind: 'domain-chardevs-connected', domain, chardevs }, timeoutMs }];
  if (vcpus.length || emulator)
    steps.push({
      kind: 'wait',
      for: { kind: 'domain-pinned', domain, pidFile, vcpus, emulator },
      timeoutMs,
      note: 'libvirt pins them from <cputune> before the guest runs',
    });
  steps.push(
    { kind: 'run', argv: virshArgv('resume', domain) },
    { kind: 'wait', for: { kind: 'domain-state', domain, state: 'running' }, timeoutMs },
    {
      kind: 'wait',
      for: { kind: 'ssh-banner', host: config.ssh.host, port: config.ssh.port, consoleLog: spec.control.consoleLog },
      timeoutMs: config.timeouts.sshMs,
    },
  );
  return steps;
}

/**
 * QEMU runs as libvirt-qemu and binds the vhost-user sockets: their folder must let it. Only
 * the instance's own state folder is changed; a socket folder elsewhere is the operator's.
 */
function socketFolderSteps(config: Config): Step[] {
  const folders = new Set(config.snabbnfv.ports.map((p) => path.dirname(p.socket)));
  if (!folders.has(config.stateDir)) return [];
  const note = `QEMU runs as ${LIBVIRT_QEMU_GROUP} and binds the vhost-user sockets here`;
  return [
    { kind: 'run', argv: ['chgrp', LIBVIRT_QEMU_GROUP, config.stateDir], note },
    { kind: 'run', argv: ['chmod', '0770', config.stateDir] },
  ];
}

/** ACPI shutdown, then destroy, each with its deadline; then undefine. `force`: destroy at once. */
export function libvirtStopPlan(config: Config, force = false): ComponentPlan {
  const domain = config.name;
  const t = config.timeouts;
  const shutdown = { step: { kind: 'run', argv: virshArgv('shutdown', '--mode', 'acpi', domain) } as Step };
  const steps: Step[] = [
    {
      kind: 'escalate',
      until: { kind: 'domain-state', domain, state: 'shut off' },
      stages: [
        ...(force ? [] : [{ ...shutdown, timeoutMs: t.powerdownMs }]),
        { step: { kind: 'run', argv: virshArgv('destroy', domain) }, timeoutMs: t.termMs },
      ],
    },
    { kind: 'run', argv: virshArgv('undefine', domain), note: 'nothing of the instance is left in libvirt' },
  ];
  return { component: 'vm', action: 'stop', steps };
}
