// The dry run as an operator reads it (and sh runs it), checked line by line against text written
// here (not against the renderer's own output): both bash eras' files for the same host, and a TCG
// host. The helpers every script shares are checked by running them (dry-run-script.test.ts).
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dryRunText } from '../../src/commands/dry-run-command.js';
import { loadConfig } from '../../src/config/load-config.js';
import type { ConfigProblem } from '../../src/errors.js';
import type { Action, Component } from '../../src/plan/component-names.js';
import { INSTANCE_MARK } from '../../src/plan/script-instance.js';

const FIXTURES = path.join(__dirname, '..', 'fixtures');

/** The whole script of `what` ("vm start", "vm stop force"); the config's path (this checkout's) as CONF. */
function script(file: string, what: string, checks = { failures: [], warnings: [] } as Checks): string[] {
  const full = path.join(FIXTURES, file);
  const config = loadConfig({ file: full, cwd: '/', env: { HOME: '/home/op', PATH: '/usr/bin:/bin' } });
  const [component, action, force] = what.split(' ') as [Component, Action, string?];
  return dryRunText(config, checks, component, action, { force: force === 'force' }).map((l) =>
    l.replaceAll(full, 'CONF'),
  );
}
type Checks = { failures: ConfigProblem[]; warnings: ConfigProblem[] };

/**
 * The script's own part: 'instance' is what it defines for the instance (the same in every script of
 * one config); any other `what` is its component functions and its run, at the bottom.
 */
function ownPart(file: string, what: string): string[] {
  const lines = script(file, what === 'instance' ? 'vm start' : what);
  const instance = lines.findIndex((l) => l.startsWith(INSTANCE_MARK));
  const functions = lines.findIndex(
    (l, i) => i > instance && /^# ---- (snabbnfv|vm|lwaftr) (start|stop) ----$/.test(l),
  );
  return what === 'instance' ? lines.slice(instance, functions) : lines.slice(functions);
}

function expectLines(file: string, table: [string, string][]): void {
  for (const what of new Set(table.map(([w]) => w)))
    expect(ownPart(file, what), `${file}: ${what}`).toEqual(table.filter(([w]) => w === what).map(([, l]) => l));
}

/** One host, as both eras of the bash tool describe it: 2015 and 2017 key names give the same plan. */
const OPERATOR_HOST: [string, string][] = [
  ['instance', '# ---- Instance lwaftr1: its processes, QMP socket and logs, and its guest ----'],
  ['instance', 'QMP=/run/lwaftrctl/lwaftr1/qmp.sock'],
  ['instance', 'QEMU_LOG=/run/lwaftrctl/lwaftr1/qemu.log'],
  ['instance', 'SNABBNFV_LOG=/run/lwaftrctl/lwaftr1/snabbnfv-1.log'],
  ['instance', "# Each process as lwaftrctl proves it is this instance's: pid file, identity record, name, then the"],
  ['instance', '# words its command line must hold.'],
  [
    'instance',
    "proc_snabbnfv_port_1() { identify /run/lwaftrctl/lwaftr1/snabbnfv-1.pid /run/lwaftrctl/lwaftr1/snabbnfv-1.json 'snabbnfv port 1' snabbnfv traffic /tmp/vh1a.sock; }",
  ],
  [
    'instance',
    "proc_snabbnfv_port_2() { identify /run/lwaftrctl/lwaftr1/snabbnfv-2.pid /run/lwaftrctl/lwaftr1/snabbnfv-2.json 'snabbnfv port 2' snabbnfv traffic /tmp/vh1b.sock; }",
  ],
  [
    'instance',
    'proc_qemu() { identify /run/lwaftrctl/lwaftr1/qemu.pid /run/lwaftrctl/lwaftr1/qemu.json QEMU -name lwaftr1,debug-threads=on -pidfile /run/lwaftrctl/lwaftr1/qemu.pid; }',
  ],
  ['instance', "# The guest over SSH, with the configured options; COMMAND is quoted for the guest's shell."],
  [
    'instance',
    'guest() { ssh -p 22 -i /home/op/.ssh/lwaftr_vm -o IdentitiesOnly=yes -o UserKnownHostsFile=/run/lwaftrctl/lwaftr1/known_hosts -o StrictHostKeyChecking=yes -o ConnectTimeout=10 -o BatchMode=yes igalia@10.21.21.2 "$*"; }',
  ],
  ['instance', '# What needs root in the guest goes through sudo -n when VM_USER is not root.'],
  ['instance', "AS_ROOT='sudo -n'"],
  ['instance', ''],
  ['snabbnfv start', '# ---- snabbnfv start ----'],
  ['snabbnfv start', 'snabbnfv_start() {'],
  ['snabbnfv start', '  forget_stale snabbnfv_port_1 snabbnfv_port_2'],
  ['snabbnfv start', '  mkdir -p /run/lwaftrctl/lwaftr1'],
  ['snabbnfv start', '  # screen writes its log at once'],
  ['snabbnfv start', "  printf '%s\\n' 'logfile flush 0' > /run/lwaftrctl/lwaftr1/screenrc"],
  [
    'snabbnfv start',
    '  [ ! -e /run/lwaftrctl/lwaftr1/snabbnfv-1.log ] || mv -f /run/lwaftrctl/lwaftr1/snabbnfv-1.log /run/lwaftrctl/lwaftr1/snabbnfv-1.log.1',
  ],
  ['snabbnfv start', '  # port 1: 0000:02:00.0 <-> /tmp/vh1a.sock'],
  [
    'snabbnfv start',
    '  run_in /home/op/workspace/snabb_host/src screen -c /run/lwaftrctl/lwaftr1/screenrc -L -Logfile /run/lwaftrctl/lwaftr1/snabbnfv-1.log -dmS snabbnfv-1 sh -c \'echo $$ > "$0" && exec "$@"\' /run/lwaftrctl/lwaftr1/snabbnfv-1.pid numactl -m 0 taskset -c 1 /home/op/workspace/snabb_host/src/snabb snabbnfv traffic -b 0000:02:00.0 /home/op/workspace/snabb_host/src/program/lwaftr/virt/ports/lwaftr1/a.cfg /tmp/vh1a.sock',
  ],
  [
    'snabbnfv start',
    '  [ ! -e /run/lwaftrctl/lwaftr1/snabbnfv-2.log ] || mv -f /run/lwaftrctl/lwaftr1/snabbnfv-2.log /run/lwaftrctl/lwaftr1/snabbnfv-2.log.1',
  ],
  ['snabbnfv start', '  # port 2: 0000:02:00.1 <-> /tmp/vh1b.sock'],
  [
    'snabbnfv start',
    '  run_in /home/op/workspace/snabb_host/src screen -c /run/lwaftrctl/lwaftr1/screenrc -L -Logfile /run/lwaftrctl/lwaftr1/snabbnfv-2.log -dmS snabbnfv-2 sh -c \'echo $$ > "$0" && exec "$@"\' /run/lwaftrctl/lwaftr1/snabbnfv-2.pid numactl -m 0 taskset -c 2 /home/op/workspace/snabb_host/src/snabb snabbnfv traffic -b 0000:02:00.1 /home/op/workspace/snabb_host/src/program/lwaftr/virt/ports/lwaftr1/b.cfg /tmp/vh1b.sock',
  ],
  [
    'snabbnfv start',
    "  wait_for 10 'snabbnfv port 1 to print \"load: time:\"' printed snabbnfv_port_1 /run/lwaftrctl/lwaftr1/snabbnfv-1.log 'load: time:'",
  ],
  [
    'snabbnfv start',
    "  wait_for 10 'snabbnfv port 2 to print \"load: time:\"' printed snabbnfv_port_2 /run/lwaftrctl/lwaftr1/snabbnfv-2.log 'load: time:'",
  ],
  ['snabbnfv start', "  say 'snabbnfv: started'"],
  ['snabbnfv start', '}'],
  ['snabbnfv start', ''],
  ['snabbnfv start', '# ---- Run: snabbnfv start ----'],
  [
    'snabbnfv start',
    'need sed grep cat cut tr tail sleep ln mkdir mv rm screen numactl taskset /home/op/workspace/snabb_host/src/snabb',
  ],
  ['snabbnfv start', "stop_command='lwaftrctl -f CONF all stop'"],
  ['snabbnfv start', 'mkdir -p /run/lwaftrctl/lwaftr1'],
  ['snabbnfv start', 'take_lock /run/lwaftrctl/lwaftr1/lock'],
  ['snabbnfv start', 'refuse_running snabbnfv_port_1 snabbnfv_port_2'],
  ['snabbnfv start', "failed_hint='to take down what this script started, if anything: lwaftrctl -f CONF all stop'"],
  ['snabbnfv start', 'snabbnfv_start'],
  ['snabbnfv start', "say 'snabbnfv start: done'"],
  ['vm start', '# ---- vm start ----'],
  ['vm start', 'vm_start() {'],
  [
    'vm start',
    "  need_running 'QEMU would block until a vhost-user backend connects to every socket' 'start the backends first: lwaftrctl -f CONF snabbnfv start (or all start)' snabbnfv_port_1 snabbnfv_port_2",
  ],
  ['vm start', '  clean_after qemu /run/lwaftrctl/lwaftr1/qmp.sock /tmp/vh1a.sock /tmp/vh1b.sock'],
  ['vm start', '  mkdir -p /run/lwaftrctl/lwaftr1'],
  [
    'vm start',
    '  [ ! -e /run/lwaftrctl/lwaftr1/console.log ] || mv -f /run/lwaftrctl/lwaftr1/console.log /run/lwaftrctl/lwaftr1/console.log.1',
  ],
  [
    'vm start',
    '  [ ! -e /run/lwaftrctl/lwaftr1/qemu.log ] || mv -f /run/lwaftrctl/lwaftr1/qemu.log /run/lwaftrctl/lwaftr1/qemu.log.1',
  ],
  ['vm start', '  # starts paused (-S); QEMU answers QMP once both backends have connected'],
  [
    'vm start',
    '  spawn qemu /run/lwaftrctl/lwaftr1/qemu.log /home/op/vm numactl -m 0 taskset -c 0 qemu-system-x86_64 -name lwaftr1,debug-threads=on -machine pc,accel=kvm -cpu host -smp 1 -m 1024M -object memory-backend-file,id=mem,size=1024M,mem-path=/dev/hugepages,share=on,prealloc=on -numa node,memdev=mem -chardev socket,id=char1,path=/tmp/vh1a.sock,server=on,wait=off -netdev type=vhost-user,id=net0,chardev=char1 -device virtio-net-pci,netdev=net0,addr=0x8,mac=52:54:00:00:00:01 -chardev socket,id=char2,path=/tmp/vh1b.sock,server=on,wait=off -netdev type=vhost-user,id=net1,chardev=char2 -device virtio-net-pci,netdev=net1,addr=0x9,mac=52:54:00:00:00:02 -netdev type=tap,id=mgmt,ifname=mgmt0,script=/home/op/workspace/snabb_host/src/program/lwaftr/virt/setup_networks/lwaftr1.sh,downscript=no -device virtio-net-pci,netdev=mgmt,addr=0xa,mac=52:54:00:00:00:03 -fsdev local,security_model=passthrough,id=fsdev0,path=/home/op/workspace -device virtio-9p-pci,id=fs0,fsdev=fsdev0,mount_tag=share -drive if=virtio,file=/home/op/vm/vm_lwaftr1.qcow2 -vnc 127.0.0.1:22 -serial file:/run/lwaftrctl/lwaftr1/console.log -pidfile /run/lwaftrctl/lwaftr1/qemu.pid -qmp unix:/run/lwaftrctl/lwaftr1/qmp.sock,server=on,wait=off -S',
  ],
  ['vm start', '  wait_for 60 \'QEMU to answer on QMP\' qmp_ready "$QMP" qemu'],
  ['vm start', '  wait_for 60 \'the vhost-user backends to connect (char1, char2)\' connected "$QMP" char1 char2'],
  ['vm start', '  # vCPU threads to cores 0'],
  ['vm start', '  pin_vcpu "$QMP" qemu 0 0'],
  ['vm start', '  qmp_run "$QMP" cont'],
  ['vm start', '  wait_for 60 \'the VM to be running\' qmp_status "$QMP" running'],
  [
    'vm start',
    "  wait_for 120 'the guest'\\''s SSH on 10.21.21.2:22' ssh_banner 10.21.21.2 22 /run/lwaftrctl/lwaftr1/console.log",
  ],
  ['vm start', "  say 'vm: started'"],
  ['vm start', '}'],
  ['vm start', ''],
  ['vm start', '# ---- Run: vm start ----'],
  ['vm start', 'need sed grep cat cut tr tail sleep ln mkdir mv rm setsid numactl taskset qemu-system-x86_64 socat'],
  ['vm start', "stop_command='lwaftrctl -f CONF all stop'"],
  ['vm start', 'mkdir -p /run/lwaftrctl/lwaftr1'],
  ['vm start', 'take_lock /run/lwaftrctl/lwaftr1/lock'],
  ['vm start', 'refuse_running qemu'],
  ['vm start', "failed_hint='to take down what this script started, if anything: lwaftrctl -f CONF all stop'"],
  ['vm start', 'vm_start'],
  ['vm start', "say 'vm start: done'"],
  ['lwaftr start', '# ---- lwaftr start ----'],
  ['lwaftr start', 'lwaftr_start() {'],
  [
    'lwaftr start',
    "  need_running 'the guest lwAFTR cannot start' 'start it first: lwaftrctl -f CONF vm start (or all start)' qemu",
  ],
  [
    'lwaftr start',
    '  guest_gone /tmp/lwaftrctl-lwaftr1/lwaftr.pid || fail 1 "the guest lwAFTR is running already ($status): this script starts from nothing" "stop it first: $stop_command"',
  ],
  [
    'lwaftr start',
    '  # reset the virtio NICs no guest kernel driver owns: a previous lwAFTR may have left them running',
  ],
  [
    'lwaftr start',
    "  in_guest $AS_ROOT 'sh -c '\\''for d in \"$@\"; do [ -e /sys/bus/pci/devices/$d/driver ] && continue; dd if=/dev/zero of=/sys/bus/pci/devices/$d/resource0 bs=1 seek=18 count=1 conv=notrunc 2>/dev/null || { echo \"cannot reset $d\" >&2; exit 1; }; done'\\'' reset 0000:00:08.0 0000:00:09.0'",
  ],
  [
    'lwaftr start',
    '  in_guest $AS_ROOT "$GUEST_LAUNCH" \'launch /tmp/lwaftrctl-lwaftr1 /tmp/lwaftrctl-lwaftr1/lwaftr.pid /tmp/lwaftrctl-lwaftr1/lwaftr.log ~/run_lwaftr.sh\'',
  ],
  [
    'lwaftr start',
    "  wait_for 60 'the guest lwAFTR to start' guest_started /tmp/lwaftrctl-lwaftr1/lwaftr.pid /tmp/lwaftrctl-lwaftr1/lwaftr.log",
  ],
  ['lwaftr start', "  say 'lwaftr: started'"],
  ['lwaftr start', '}'],
  ['lwaftr start', ''],
  ['lwaftr start', '# ---- Run: lwaftr start ----'],
  ['lwaftr start', 'need sed grep cat cut tr tail sleep ln mkdir mv rm ssh'],
  ['lwaftr start', "stop_command='lwaftrctl -f CONF all stop'"],
  ['lwaftr start', 'mkdir -p /run/lwaftrctl/lwaftr1'],
  ['lwaftr start', 'take_lock /run/lwaftrctl/lwaftr1/lock'],
  ['lwaftr start', "failed_hint='to take down what this script started, if anything: lwaftrctl -f CONF all stop'"],
  ['lwaftr start', 'lwaftr_start'],
  ['lwaftr start', "say 'lwaftr start: done'"],
  ['lwaftr stop', '# ---- lwaftr stop ----'],
  ['lwaftr stop', 'lwaftr_stop() {'],
  ['lwaftr stop', "  if ! is_ours qemu; then say 'lwaftr: already stopped (the VM is not running)'; return 0; fi"],
  [
    'lwaftr stop',
    "  if guest_gone /tmp/lwaftrctl-lwaftr1/lwaftr.pid; then say 'lwaftr: already stopped'; return 0; fi",
  ],
  ['lwaftr stop', '  guest_gone /tmp/lwaftrctl-lwaftr1/lwaftr.pid ||'],
  [
    'lwaftr stop',
    '    # reset the virtio NICs 0000:00:08.0 0000:00:09.0, then TERM, only if the recorded lwAFTR still runs',
  ],
  [
    'lwaftr stop',
    '    { in_guest $AS_ROOT "$GUEST_STOP" \'stop /tmp/lwaftrctl-lwaftr1/lwaftr.pid TERM 0000:00:08.0 0000:00:09.0\'; try_for 5 guest_gone /tmp/lwaftrctl-lwaftr1/lwaftr.pid; } ||',
  ],
  [
    'lwaftr stop',
    '    { in_guest $AS_ROOT "$GUEST_STOP" \'stop /tmp/lwaftrctl-lwaftr1/lwaftr.pid KILL\'; try_for 5 guest_gone /tmp/lwaftrctl-lwaftr1/lwaftr.pid; } ||',
  ],
  [
    'lwaftr stop',
    "    fail 1 'could not get the guest lwAFTR to exit, even with the last resort' 'see the logs in the state folder; the process may be stuck in the kernel (state D)'",
  ],
  ['lwaftr stop', '  : >"$lock.stopped-lwaftr"'],
  ['lwaftr stop', "  say 'lwaftr: stopped'"],
  ['lwaftr stop', '}'],
  ['lwaftr stop', ''],
  ['lwaftr stop', '# ---- Run: lwaftr stop ----'],
  ['lwaftr stop', 'need sed grep cat cut tr tail sleep ln mkdir mv rm ssh'],
  ['lwaftr stop', "stop_command='lwaftrctl -f CONF all stop'"],
  ['lwaftr stop', 'mkdir -p /run/lwaftrctl/lwaftr1'],
  ['lwaftr stop', 'take_lock /run/lwaftrctl/lwaftr1/lock'],
  ['lwaftr stop', "failed_hint='some of it may still run: lwaftrctl -f CONF status tells'"],
  ['lwaftr stop', 'lwaftr_stop'],
  ['lwaftr stop', "say 'lwaftr stop: done'"],
  ['vm stop', '# ---- lwaftr stop ----'],
  ['vm stop', 'lwaftr_stop() {'],
  ['vm stop', "  if ! is_ours qemu; then say 'lwaftr: already stopped (the VM is not running)'; return 0; fi"],
  ['vm stop', "  if guest_gone /tmp/lwaftrctl-lwaftr1/lwaftr.pid; then say 'lwaftr: already stopped'; return 0; fi"],
  ['vm stop', '  guest_gone /tmp/lwaftrctl-lwaftr1/lwaftr.pid ||'],
  [
    'vm stop',
    '    # reset the virtio NICs 0000:00:08.0 0000:00:09.0, then TERM, only if the recorded lwAFTR still runs',
  ],
  [
    'vm stop',
    '    { in_guest $AS_ROOT "$GUEST_STOP" \'stop /tmp/lwaftrctl-lwaftr1/lwaftr.pid TERM 0000:00:08.0 0000:00:09.0\'; try_for 5 guest_gone /tmp/lwaftrctl-lwaftr1/lwaftr.pid; } ||',
  ],
  [
    'vm stop',
    '    { in_guest $AS_ROOT "$GUEST_STOP" \'stop /tmp/lwaftrctl-lwaftr1/lwaftr.pid KILL\'; try_for 5 guest_gone /tmp/lwaftrctl-lwaftr1/lwaftr.pid; } ||',
  ],
  [
    'vm stop',
    "    fail 1 'could not get the guest lwAFTR to exit, even with the last resort' 'see the logs in the state folder; the process may be stuck in the kernel (state D)'",
  ],
  ['vm stop', '  : >"$lock.stopped-lwaftr"'],
  ['vm stop', "  say 'lwaftr: stopped'"],
  ['vm stop', '}'],
  ['vm stop', ''],
  ['vm stop', '# ---- vm stop ----'],
  ['vm stop', 'vm_stop() {'],
  [
    'vm stop',
    "  if ! is_ours qemu; then clean_after qemu /run/lwaftrctl/lwaftr1/qmp.sock /tmp/vh1a.sock /tmp/vh1b.sock; say 'vm: already stopped'; return 0; fi",
  ],
  ['vm stop', '  gone qemu ||'],
  ['vm stop', '    { qmp_run "$QMP" system_powerdown; try_for 30 gone qemu; } ||'],
  ['vm stop', '    { qmp_run "$QMP" quit; try_for 5 gone qemu; } ||'],
  ['vm stop', '    { signal_ours TERM qemu; try_for 5 gone qemu; } ||'],
  ['vm stop', '    { signal_ours KILL qemu; try_for 5 gone qemu; } ||'],
  [
    'vm stop',
    "    fail 1 'could not get QEMU to exit, even with the last resort' 'see the logs in the state folder; the process may be stuck in the kernel (state D)'",
  ],
  ['vm stop', '  clean_after qemu /run/lwaftrctl/lwaftr1/qmp.sock /tmp/vh1a.sock /tmp/vh1b.sock'],
  ['vm stop', "  say 'vm: stopped'"],
  ['vm stop', '}'],
  ['vm stop', ''],
  ['vm stop', '# ---- Run: vm stop ----'],
  ['vm stop', 'need sed grep cat cut tr tail sleep ln mkdir mv rm ssh socat'],
  ['vm stop', "stop_command='lwaftrctl -f CONF all stop'"],
  ['vm stop', 'mkdir -p /run/lwaftrctl/lwaftr1'],
  ['vm stop', 'take_lock /run/lwaftrctl/lwaftr1/lock'],
  ['vm stop', "failed_hint='some of it may still run: lwaftrctl -f CONF status tells'"],
  ['vm stop', "tolerate 'lwaftr: could not stop it in the guest; the VM stop ends it' lwaftr_stop"],
  ['vm stop', 'vm_stop'],
  ['vm stop', "say 'vm stop: done'"],
  ['vm stop force', '# ---- lwaftr stop ----'],
  ['vm stop force', 'lwaftr_stop() {'],
  ['vm stop force', "  if ! is_ours qemu; then say 'lwaftr: already stopped (the VM is not running)'; return 0; fi"],
  [
    'vm stop force',
    "  if guest_gone /tmp/lwaftrctl-lwaftr1/lwaftr.pid; then say 'lwaftr: already stopped'; return 0; fi",
  ],
  ['vm stop force', '  guest_gone /tmp/lwaftrctl-lwaftr1/lwaftr.pid ||'],
  [
    'vm stop force',
    '    # reset the virtio NICs 0000:00:08.0 0000:00:09.0, then TERM, only if the recorded lwAFTR still runs',
  ],
  [
    'vm stop force',
    '    { in_guest $AS_ROOT "$GUEST_STOP" \'stop /tmp/lwaftrctl-lwaftr1/lwaftr.pid TERM 0000:00:08.0 0000:00:09.0\'; try_for 5 guest_gone /tmp/lwaftrctl-lwaftr1/lwaftr.pid; } ||',
  ],
  [
    'vm stop force',
    '    { in_guest $AS_ROOT "$GUEST_STOP" \'stop /tmp/lwaftrctl-lwaftr1/lwaftr.pid KILL\'; try_for 5 guest_gone /tmp/lwaftrctl-lwaftr1/lwaftr.pid; } ||',
  ],
  [
    'vm stop force',
    "    fail 1 'could not get the guest lwAFTR to exit, even with the last resort' 'see the logs in the state folder; the process may be stuck in the kernel (state D)'",
  ],
  ['vm stop force', '  : >"$lock.stopped-lwaftr"'],
  ['vm stop force', "  say 'lwaftr: stopped'"],
  ['vm stop force', '}'],
  ['vm stop force', ''],
  ['vm stop force', '# ---- vm stop ----'],
  ['vm stop force', 'vm_stop() {'],
  [
    'vm stop force',
    "  if ! is_ours qemu; then clean_after qemu /run/lwaftrctl/lwaftr1/qmp.sock /tmp/vh1a.sock /tmp/vh1b.sock; say 'vm: already stopped'; return 0; fi",
  ],
  ['vm stop force', '  gone qemu ||'],
  ['vm stop force', '    { signal_ours KILL qemu; try_for 5 gone qemu; } ||'],
  [
    'vm stop force',
    "    fail 1 'could not get QEMU to exit, even with the last resort' 'see the logs in the state folder; the process may be stuck in the kernel (state D)'",
  ],
  ['vm stop force', '  clean_after qemu /run/lwaftrctl/lwaftr1/qmp.sock /tmp/vh1a.sock /tmp/vh1b.sock'],
  ['vm stop force', "  say 'vm: stopped'"],
  ['vm stop force', '}'],
  ['vm stop force', ''],
  ['vm stop force', '# ---- Run: --force vm stop ----'],
  ['vm stop force', 'need sed grep cat cut tr tail sleep ln mkdir mv rm ssh socat'],
  ['vm stop force', "stop_command='lwaftrctl -f CONF all stop'"],
  ['vm stop force', 'mkdir -p /run/lwaftrctl/lwaftr1'],
  ['vm stop force', 'take_lock /run/lwaftrctl/lwaftr1/lock'],
  ['vm stop force', "failed_hint='some of it may still run: lwaftrctl -f CONF status tells'"],
  ['vm stop force', "tolerate 'lwaftr: could not stop it in the guest; the VM stop ends it' lwaftr_stop"],
  ['vm stop force', 'vm_stop'],
  ['vm stop force', "say '--force vm stop: done'"],
  ['snabbnfv stop', '# ---- snabbnfv stop ----'],
  ['snabbnfv stop', 'snabbnfv_stop() {'],
  ['snabbnfv stop', '  gone snabbnfv_port_1 snabbnfv_port_2 ||'],
  [
    'snabbnfv stop',
    '    { signal_ours TERM snabbnfv_port_1 snabbnfv_port_2; try_for 5 gone snabbnfv_port_1 snabbnfv_port_2; } ||',
  ],
  [
    'snabbnfv stop',
    '    { signal_ours KILL snabbnfv_port_1 snabbnfv_port_2; try_for 5 gone snabbnfv_port_1 snabbnfv_port_2; } ||',
  ],
  [
    'snabbnfv stop',
    "    fail 1 'could not get snabbnfv port 1 and snabbnfv port 2 to exit, even with the last resort' 'see the logs in the state folder; the process may be stuck in the kernel (state D)'",
  ],
  ['snabbnfv stop', '  screen_quit snabbnfv-1 snabbnfv_port_1'],
  ['snabbnfv stop', '  screen_quit snabbnfv-2 snabbnfv_port_2'],
  ['snabbnfv stop', '  forget_stale snabbnfv_port_1 snabbnfv_port_2'],
  ['snabbnfv stop', "  say 'snabbnfv: stopped'"],
  ['snabbnfv stop', '}'],
  ['snabbnfv stop', ''],
  ['snabbnfv stop', '# ---- Run: snabbnfv stop ----'],
  ['snabbnfv stop', 'need sed grep cat cut tr tail sleep ln mkdir mv rm screen'],
  ['snabbnfv stop', "stop_command='lwaftrctl -f CONF all stop'"],
  ['snabbnfv stop', 'mkdir -p /run/lwaftrctl/lwaftr1'],
  ['snabbnfv stop', 'take_lock /run/lwaftrctl/lwaftr1/lock'],
  ['snabbnfv stop', "failed_hint='some of it may still run: lwaftrctl -f CONF status tells'"],
  ['snabbnfv stop', 'snabbnfv_stop'],
  ['snabbnfv stop', "say 'snabbnfv stop: done'"],
];
const TCG_HOST: [string, string][] = [
  ['instance', '# ---- Instance tcg1: its processes, QMP socket and logs, and its guest ----'],
  ['instance', 'QMP=/run/lwaftrctl/tcg1/qmp.sock'],
  ['instance', 'QEMU_LOG=/run/lwaftrctl/tcg1/qemu.log'],
  ['instance', 'SNABBNFV_LOG=/run/lwaftrctl/tcg1/snabbnfv-1.log'],
  ['instance', "# Each process as lwaftrctl proves it is this instance's: pid file, identity record, name, then the"],
  ['instance', '# words its command line must hold.'],
  [
    'instance',
    "proc_snabbnfv_port_1() { identify /run/lwaftrctl/tcg1/snabbnfv-1.pid /run/lwaftrctl/tcg1/snabbnfv-1.json 'snabbnfv port 1' snabbnfv traffic /run/lwaftrctl/tcg1/vh1a.sock; }",
  ],
  [
    'instance',
    "proc_snabbnfv_port_2() { identify /run/lwaftrctl/tcg1/snabbnfv-2.pid /run/lwaftrctl/tcg1/snabbnfv-2.json 'snabbnfv port 2' snabbnfv traffic /run/lwaftrctl/tcg1/vh1b.sock; }",
  ],
  [
    'instance',
    'proc_qemu() { identify /run/lwaftrctl/tcg1/qemu.pid /run/lwaftrctl/tcg1/qemu.json QEMU -name tcg1,debug-threads=on -pidfile /run/lwaftrctl/tcg1/qemu.pid; }',
  ],
  ['instance', "# The guest over SSH, with the configured options; COMMAND is quoted for the guest's shell."],
  [
    'instance',
    'guest() { ssh -p 10022 -i /etc/lwaftr/id_ed25519 -o IdentitiesOnly=yes -o UserKnownHostsFile=/run/lwaftrctl/tcg1/known_hosts -o StrictHostKeyChecking=accept-new -o ConnectTimeout=10 -o BatchMode=yes root@127.0.0.1 "$*"; }',
  ],
  ['instance', '# What needs root in the guest goes through sudo -n when VM_USER is not root.'],
  ['instance', "AS_ROOT=''"],
  ['instance', ''],
  ['vm start', '# ---- vm start ----'],
  ['vm start', 'vm_start() {'],
  [
    'vm start',
    "  need_running 'QEMU would block until a vhost-user backend connects to every socket' 'start the backends first: lwaftrctl -f CONF snabbnfv start (or all start)' snabbnfv_port_1 snabbnfv_port_2",
  ],
  [
    'vm start',
    '  clean_after qemu /run/lwaftrctl/tcg1/qmp.sock /run/lwaftrctl/tcg1/vh1a.sock /run/lwaftrctl/tcg1/vh1b.sock',
  ],
  ['vm start', '  mkdir -p /run/lwaftrctl/tcg1'],
  [
    'vm start',
    '  [ ! -e /run/lwaftrctl/tcg1/console.log ] || mv -f /run/lwaftrctl/tcg1/console.log /run/lwaftrctl/tcg1/console.log.1',
  ],
  [
    'vm start',
    '  [ ! -e /run/lwaftrctl/tcg1/qemu.log ] || mv -f /run/lwaftrctl/tcg1/qemu.log /run/lwaftrctl/tcg1/qemu.log.1',
  ],
  ['vm start', '  # starts paused (-S); QEMU answers QMP once both backends have connected'],
  [
    'vm start',
    "  spawn qemu /run/lwaftrctl/tcg1/qemu.log . taskset -c 0 qemu-system-x86_64 -name tcg1,debug-threads=on -machine pc,accel=tcg -cpu max -smp 2 -m 512M -object memory-backend-memfd,id=mem,size=512M,share=on -numa node,memdev=mem -chardev socket,id=char1,path=/run/lwaftrctl/tcg1/vh1a.sock,server=on,wait=off -netdev type=vhost-user,id=net0,chardev=char1 -device virtio-net-pci,netdev=net0,addr=0x8,mac=52:54:00:00:00:01,vectors=0 -chardev socket,id=char2,path=/run/lwaftrctl/tcg1/vh1b.sock,server=on,wait=off -netdev type=vhost-user,id=net1,chardev=char2 -device virtio-net-pci,netdev=net1,addr=0x9,mac=52:54:00:00:00:02,vectors=0 -netdev user,id=mgmt,restrict=on,hostfwd=tcp:127.0.0.1:10022-:22 -device virtio-net-pci,netdev=mgmt,addr=0xa,mac=52:54:00:00:00:03 -fsdev local,security_model=passthrough,id=fsdev0,path=/opt -device virtio-9p-pci,id=fs0,fsdev=fsdev0,mount_tag=share -kernel /vm/vmlinuz -initrd /vm/initramfs.cpio.gz -append 'console=ttyS1 hugepages=64 isolcpus=2-3 nohz_full=2-3' -display none -serial telnet:127.0.0.1:5001,server=on,wait=off -serial file:/run/lwaftrctl/tcg1/console.log -pidfile /run/lwaftrctl/tcg1/qemu.pid -qmp unix:/run/lwaftrctl/tcg1/qmp.sock,server=on,wait=off -S",
  ],
  ['vm start', '  wait_for 60 \'QEMU to answer on QMP\' qmp_ready "$QMP" qemu'],
  ['vm start', '  wait_for 60 \'the vhost-user backends to connect (char1, char2)\' connected "$QMP" char1 char2'],
  ['vm start', '  # vCPU threads: vCPU 0 to core 2, vCPU 1 to core 3'],
  ['vm start', '  pin_vcpu "$QMP" qemu 0 2'],
  ['vm start', '  pin_vcpu "$QMP" qemu 1 3'],
  ['vm start', '  qmp_run "$QMP" cont'],
  ['vm start', '  wait_for 60 \'the VM to be running\' qmp_status "$QMP" running'],
  [
    'vm start',
    "  wait_for 120 'the guest'\\''s SSH on 127.0.0.1:10022' ssh_banner 127.0.0.1 10022 /run/lwaftrctl/tcg1/console.log",
  ],
  ['vm start', "  say 'vm: started'"],
  ['vm start', '}'],
  ['vm start', ''],
  ['vm start', '# ---- Run: vm start ----'],
  ['vm start', 'need sed grep cat cut tr tail sleep ln mkdir mv rm setsid taskset qemu-system-x86_64 socat'],
  ['vm start', "stop_command='lwaftrctl -f CONF all stop'"],
  ['vm start', 'mkdir -p /run/lwaftrctl/tcg1'],
  ['vm start', 'take_lock /run/lwaftrctl/tcg1/lock'],
  ['vm start', 'refuse_running qemu'],
  ['vm start', "failed_hint='to take down what this script started, if anything: lwaftrctl -f CONF all stop'"],
  ['vm start', 'vm_start'],
  ['vm start', "say 'vm start: done'"],
  ['lwaftr start', '# ---- lwaftr start ----'],
  ['lwaftr start', 'lwaftr_start() {'],
  [
    'lwaftr start',
    "  need_running 'the guest lwAFTR cannot start' 'start it first: lwaftrctl -f CONF vm start (or all start)' qemu",
  ],
  [
    'lwaftr start',
    '  guest_gone /tmp/lwaftrctl-tcg1/lwaftr.pid || fail 1 "the guest lwAFTR is running already ($status): this script starts from nothing" "stop it first: $stop_command"',
  ],
  [
    'lwaftr start',
    '  # reset the virtio NICs no guest kernel driver owns: a previous lwAFTR may have left them running',
  ],
  [
    'lwaftr start',
    "  in_guest 'sh -c '\\''for d in \"$@\"; do [ -e /sys/bus/pci/devices/$d/driver ] && continue; dd if=/dev/zero of=/sys/bus/pci/devices/$d/resource0 bs=1 seek=18 count=1 conv=notrunc 2>/dev/null || { echo \"cannot reset $d\" >&2; exit 1; }; done'\\'' reset 0000:00:08.0 0000:00:09.0'",
  ],
  [
    'lwaftr start',
    '  in_guest "$GUEST_LAUNCH" \'launch /tmp/lwaftrctl-tcg1 /tmp/lwaftrctl-tcg1/lwaftr.pid /tmp/lwaftrctl-tcg1/lwaftr.log /mnt/host/snabb/src/snabb lwaftr run --virtio --conf /mnt/host/snabb/lwaftr.conf --v4 0000:00:08.0 --v6 0000:00:09.0 --name tcg1 --cpu 1 -v\'',
  ],
  [
    'lwaftr start',
    "  wait_for 60 'the guest lwAFTR to start' guest_started /tmp/lwaftrctl-tcg1/lwaftr.pid /tmp/lwaftrctl-tcg1/lwaftr.log /var/run/snabb/PID/apps/lwaftr",
  ],
  ['lwaftr start', "  say 'lwaftr: started'"],
  ['lwaftr start', '}'],
  ['lwaftr start', ''],
  ['lwaftr start', '# ---- Run: lwaftr start ----'],
  ['lwaftr start', 'need sed grep cat cut tr tail sleep ln mkdir mv rm ssh'],
  ['lwaftr start', "stop_command='lwaftrctl -f CONF all stop'"],
  ['lwaftr start', 'mkdir -p /run/lwaftrctl/tcg1'],
  ['lwaftr start', 'take_lock /run/lwaftrctl/tcg1/lock'],
  ['lwaftr start', "failed_hint='to take down what this script started, if anything: lwaftrctl -f CONF all stop'"],
  ['lwaftr start', 'lwaftr_start'],
  ['lwaftr start', "say 'lwaftr start: done'"],
  ['snabbnfv start', '# ---- snabbnfv start ----'],
  ['snabbnfv start', 'snabbnfv_start() {'],
  ['snabbnfv start', '  forget_stale snabbnfv_port_1 snabbnfv_port_2'],
  ['snabbnfv start', '  mkdir -p /run/lwaftrctl/tcg1'],
  ['snabbnfv start', '  # screen writes its log at once'],
  ['snabbnfv start', "  printf '%s\\n' 'logfile flush 0' > /run/lwaftrctl/tcg1/screenrc"],
  [
    'snabbnfv start',
    '  [ ! -e /run/lwaftrctl/tcg1/snabbnfv-1.log ] || mv -f /run/lwaftrctl/tcg1/snabbnfv-1.log /run/lwaftrctl/tcg1/snabbnfv-1.log.1',
  ],
  ['snabbnfv start', '  # port 1: soft <-> /run/lwaftrctl/tcg1/vh1a.sock'],
  [
    'snabbnfv start',
    '  run_in /opt/snabb/src screen -c /run/lwaftrctl/tcg1/screenrc -L -Logfile /run/lwaftrctl/tcg1/snabbnfv-1.log -dmS tcg1-snabbnfv-1 sh -c \'echo $$ > "$0" && exec "$@"\' /run/lwaftrctl/tcg1/snabbnfv-1.pid taskset -c 0 /opt/snabb/src/snabb snabbnfv traffic soft /etc/lwaftr/a.cfg /run/lwaftrctl/tcg1/vh1a.sock',
  ],
  [
    'snabbnfv start',
    '  [ ! -e /run/lwaftrctl/tcg1/snabbnfv-2.log ] || mv -f /run/lwaftrctl/tcg1/snabbnfv-2.log /run/lwaftrctl/tcg1/snabbnfv-2.log.1',
  ],
  ['snabbnfv start', '  # port 2: soft <-> /run/lwaftrctl/tcg1/vh1b.sock'],
  [
    'snabbnfv start',
    '  run_in /opt/snabb/src screen -c /run/lwaftrctl/tcg1/screenrc -L -Logfile /run/lwaftrctl/tcg1/snabbnfv-2.log -dmS tcg1-snabbnfv-2 sh -c \'echo $$ > "$0" && exec "$@"\' /run/lwaftrctl/tcg1/snabbnfv-2.pid taskset -c 0 /opt/snabb/src/snabb snabbnfv traffic soft /etc/lwaftr/b.cfg /run/lwaftrctl/tcg1/vh1b.sock',
  ],
  [
    'snabbnfv start',
    "  wait_for 10 'snabbnfv port 1 to print \"load: time:\"' printed snabbnfv_port_1 /run/lwaftrctl/tcg1/snabbnfv-1.log 'load: time:'",
  ],
  [
    'snabbnfv start',
    "  wait_for 10 'snabbnfv port 2 to print \"load: time:\"' printed snabbnfv_port_2 /run/lwaftrctl/tcg1/snabbnfv-2.log 'load: time:'",
  ],
  ['snabbnfv start', "  say 'snabbnfv: started'"],
  ['snabbnfv start', '}'],
  ['snabbnfv start', ''],
  ['snabbnfv start', '# ---- Run: snabbnfv start ----'],
  ['snabbnfv start', 'need sed grep cat cut tr tail sleep ln mkdir mv rm screen taskset /opt/snabb/src/snabb'],
  ['snabbnfv start', "stop_command='lwaftrctl -f CONF all stop'"],
  ['snabbnfv start', 'mkdir -p /run/lwaftrctl/tcg1'],
  ['snabbnfv start', 'take_lock /run/lwaftrctl/tcg1/lock'],
  ['snabbnfv start', 'refuse_running snabbnfv_port_1 snabbnfv_port_2'],
  ['snabbnfv start', "failed_hint='to take down what this script started, if anything: lwaftrctl -f CONF all stop'"],
  ['snabbnfv start', 'snabbnfv_start'],
  ['snabbnfv start', "say 'snabbnfv start: done'"],
];

describe('dry run, line by line', () => {
  it('of a 2015-era file', () => expectLines('lwaftrctl-2015.conf', OPERATOR_HOST));
  it('of a 2017-era file for the same host', () => expectLines('lwaftrctl-2017.conf', OPERATOR_HOST));
  it('of a host without KVM', () => expectLines('lwaftrctl-tcg.conf', TCG_HOST));

  it('says in its header where it comes from, what it needs, and what the doctor would refuse', () => {
    const refusal = {
      file: 'CONF',
      line: 3,
      key: 'NUMA_NODE',
      message: 'numa node: node 0 has no CPUs',
      fix: 'set NUMA_NODE=1',
    };
    const warning = { file: 'CONF', message: 'busy cores isolated: core 1 is not isolated' };
    expect(
      script('lwaftrctl-2015.conf', 'all start', { failures: [refusal], warnings: [warning] }).slice(0, 10),
    ).toEqual([
      '#!/bin/sh',
      '# lwaftrctl all start: instance lwaftr1, config CONF',
      '# Printed by lwaftrctl --dry-run: the steps of a real run, in its order, with its waits and deadlines,',
      '# and the checks it makes before it signals anything. Run it with: sh FILE (sh -x FILE shows each step).',
      '# It needs root (as lwaftrctl does) and these programs: sh sed grep cat cut tr tail sleep ln mkdir mv rm screen numactl taskset /home/op/workspace/snabb_host/src/snabb setsid qemu-system-x86_64 socat ssh',
      '# It starts from nothing: it stops at once if what it would start (snabbnfv, vm, lwaftr) runs already.',
      '# warning: a real run would refuse this: CONF:3: NUMA_NODE: numa node: node 0 has no CPUs',
      '#   fix: set NUMA_NODE=1',
      '# warning: CONF: busy cores isolated: core 1 is not isolated',
      'set -eu',
    ]);
  });
});
