// The dry run as an operator reads it, checked line by line against text written here (not
// against the renderer's own output): both bash eras' files for the same host, and a TCG host.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dryRunText } from '../../src/commands/dry-run-command.js';
import { loadConfig } from '../../src/config/load-config.js';
import type { Action, Component } from '../../src/plan/component-names.js';

const FIXTURES = path.join(__dirname, '..', 'fixtures');

/** The dry run of `what` ("vm start", "vm stop force"), without its header and host warnings. */
function dryRun(file: string, what: string): string[] {
  const config = loadConfig({
    file: path.join(FIXTURES, file),
    cwd: '/',
    env: { HOME: '/home/op', PATH: '/usr/bin:/bin' },
  });
  const [component, action, force] = what.split(' ') as [Component, Action, string?];
  const noChecks = { failures: [], warnings: [] };
  return dryRunText(config, noChecks, component, action, { force: force === 'force' }).filter(
    (l) => !/^# (lwaftrctl |dry run|warning)/.test(l),
  );
}

function expectLines(file: string, table: [string, string][]): void {
  for (const what of new Set(table.map(([w]) => w)))
    expect(dryRun(file, what), `${file}: ${what}`).toEqual(table.filter(([w]) => w === what).map(([, l]) => l));
}

/** One host, as both eras of the bash tool describe it: 2015 and 2017 key names give the same plan. */
const OPERATOR_HOST: [string, string][] = [
  ['snabbnfv start', '# snabbnfv start'],
  ['snabbnfv start', 'mkdir -p /run/lwaftrctl/lwaftr1'],
  ['snabbnfv start', '# screen writes its log at once'],
  ['snabbnfv start', "printf '%s\\n' 'logfile flush 0' > /run/lwaftrctl/lwaftr1/screenrc"],
  [
    'snabbnfv start',
    '[ ! -e /run/lwaftrctl/lwaftr1/snabbnfv-1.log ] || mv -f /run/lwaftrctl/lwaftr1/snabbnfv-1.log /run/lwaftrctl/lwaftr1/snabbnfv-1.log.1',
  ],
  ['snabbnfv start', '# port 1: 0000:02:00.0 <-> /tmp/vh1a.sock'],
  [
    'snabbnfv start',
    'cd /home/op/workspace/snabb_host/src && screen -c /run/lwaftrctl/lwaftr1/screenrc -L -Logfile /run/lwaftrctl/lwaftr1/snabbnfv-1.log -dmS snabbnfv-1 sh -c \'echo $$ > "$0" && exec "$@"\' /run/lwaftrctl/lwaftr1/snabbnfv-1.pid numactl -m 0 taskset -c 1 /home/op/workspace/snabb_host/src/snabb snabbnfv traffic -b 0000:02:00.0 /home/op/workspace/snabb_host/src/program/lwaftr/virt/ports/lwaftr1/a.cfg /tmp/vh1a.sock',
  ],
  [
    'snabbnfv start',
    '[ ! -e /run/lwaftrctl/lwaftr1/snabbnfv-2.log ] || mv -f /run/lwaftrctl/lwaftr1/snabbnfv-2.log /run/lwaftrctl/lwaftr1/snabbnfv-2.log.1',
  ],
  ['snabbnfv start', '# port 2: 0000:02:00.1 <-> /tmp/vh1b.sock'],
  [
    'snabbnfv start',
    'cd /home/op/workspace/snabb_host/src && screen -c /run/lwaftrctl/lwaftr1/screenrc -L -Logfile /run/lwaftrctl/lwaftr1/snabbnfv-2.log -dmS snabbnfv-2 sh -c \'echo $$ > "$0" && exec "$@"\' /run/lwaftrctl/lwaftr1/snabbnfv-2.pid numactl -m 0 taskset -c 2 /home/op/workspace/snabb_host/src/snabb snabbnfv traffic -b 0000:02:00.1 /home/op/workspace/snabb_host/src/program/lwaftr/virt/ports/lwaftr1/b.cfg /tmp/vh1b.sock',
  ],
  [
    'snabbnfv start',
    '# wait up to 10s for snabbnfv port 1 (pid file /run/lwaftrctl/lwaftr1/snabbnfv-1.pid) alive and "load: time:" in /run/lwaftrctl/lwaftr1/snabbnfv-1.log',
  ],
  [
    'snabbnfv start',
    '# wait up to 10s for snabbnfv port 2 (pid file /run/lwaftrctl/lwaftr1/snabbnfv-2.pid) alive and "load: time:" in /run/lwaftrctl/lwaftr1/snabbnfv-2.log',
  ],
  ['vm start', '# vm start'],
  ['vm start', 'mkdir -p /run/lwaftrctl/lwaftr1'],
  [
    'vm start',
    '[ ! -e /run/lwaftrctl/lwaftr1/console.log ] || mv -f /run/lwaftrctl/lwaftr1/console.log /run/lwaftrctl/lwaftr1/console.log.1',
  ],
  [
    'vm start',
    '[ ! -e /run/lwaftrctl/lwaftr1/qemu.log ] || mv -f /run/lwaftrctl/lwaftr1/qemu.log /run/lwaftrctl/lwaftr1/qemu.log.1',
  ],
  ['vm start', '# starts paused (-S); QEMU answers QMP once both backends have connected'],
  [
    'vm start',
    'cd /home/op/vm && setsid numactl -m 0 taskset -c 0 qemu-system-x86_64 -name lwaftr1,debug-threads=on -machine pc,accel=kvm -cpu host -smp 1 -m 1024M -object memory-backend-file,id=mem,size=1024M,mem-path=/dev/hugepages,share=on,prealloc=on -numa node,memdev=mem -chardev socket,id=char1,path=/tmp/vh1a.sock,server=on,wait=off -netdev type=vhost-user,id=net0,chardev=char1 -device virtio-net-pci,netdev=net0,addr=0x8,mac=52:54:00:00:00:01 -chardev socket,id=char2,path=/tmp/vh1b.sock,server=on,wait=off -netdev type=vhost-user,id=net1,chardev=char2 -device virtio-net-pci,netdev=net1,addr=0x9,mac=52:54:00:00:00:02 -netdev type=tap,id=mgmt,ifname=mgmt0,script=/home/op/workspace/snabb_host/src/program/lwaftr/virt/setup_networks/lwaftr1.sh,downscript=no -device virtio-net-pci,netdev=mgmt,addr=0xa,mac=52:54:00:00:00:03 -fsdev local,security_model=passthrough,id=fsdev0,path=/home/op/workspace -device virtio-9p-pci,id=fs0,fsdev=fsdev0,mount_tag=share -drive if=virtio,file=/home/op/vm/vm_lwaftr1.qcow2 -vnc 127.0.0.1:22 -serial file:/run/lwaftrctl/lwaftr1/console.log -pidfile /run/lwaftrctl/lwaftr1/qemu.pid -qmp unix:/run/lwaftrctl/lwaftr1/qmp.sock,server=on,wait=off -S > /run/lwaftrctl/lwaftr1/qemu.log 2>&1 < /dev/null &',
  ],
  ['vm start', '# wait up to 60s for QMP greeting on /run/lwaftrctl/lwaftr1/qmp.sock (QEMU alive)'],
  ['vm start', '# wait up to 60s for vhost-user backends connected on char1, char2 (QMP query-chardev)'],
  ['vm start', '# vCPU threads to cores 0'],
  ['vm start', '# for each vCPU thread id that QMP query-cpus-fast reports (thread-id):'],
  ['vm start', '#   taskset -pc 0 THREAD_ID'],
  [
    'vm start',
    'printf \'%s\\n\' \'{"execute":"qmp_capabilities"}\' \'{"execute":"cont"}\' | socat - UNIX-CONNECT:/run/lwaftrctl/lwaftr1/qmp.sock',
  ],
  ['vm start', '# wait up to 60s for QMP query-status "running"'],
  [
    'vm start',
    "# wait up to 120s for the guest's SSH banner on 10.21.21.2:22 (console: /run/lwaftrctl/lwaftr1/console.log)",
  ],
  ['lwaftr start', '# lwaftr start'],
  [
    'lwaftr start',
    'ssh -p 22 -i /home/op/.ssh/lwaftr_vm -o UserKnownHostsFile=/run/lwaftrctl/lwaftr1/known_hosts -o StrictHostKeyChecking=yes igalia@10.21.21.2 \'sh -c \'\\\'\'dir=$1 pidfile=$2 log=$3; shift 3; mkdir -p "$dir" && cd || exit 1; setsid "$@" >"$log" 2>&1 </dev/null & pid=$!; start=$(sed "s/.*) //" /proc/$pid/stat | cut -d" " -f20); echo "$pid $start" >"$pidfile"; echo "$pid $start"\'\\\'\' launch /tmp/lwaftrctl-lwaftr1 /tmp/lwaftrctl-lwaftr1/lwaftr.pid /tmp/lwaftrctl-lwaftr1/lwaftr.log ~/run_lwaftr.sh\'',
  ],
  [
    'lwaftr start',
    '# wait up to 60s for the guest process in /tmp/lwaftrctl-lwaftr1/lwaftr.pid alive and a first line in /tmp/lwaftrctl-lwaftr1/lwaftr.log',
  ],
  ['lwaftr stop', '# lwaftr stop'],
  [
    'lwaftr stop',
    '# reset the virtio NICs 0000:00:08.0 0000:00:09.0, then TERM, only if the recorded lwAFTR still runs',
  ],
  [
    'lwaftr stop',
    'ssh -p 22 -i /home/op/.ssh/lwaftr_vm -o UserKnownHostsFile=/run/lwaftrctl/lwaftr1/known_hosts -o StrictHostKeyChecking=yes igalia@10.21.21.2 \'sh -c \'\\\'\'pidfile=$1 sig=$2; shift 2; nics=$*; test -r "$pidfile" || { echo stopped; exit 0; }; read pid start <"$pidfile"; set -- $(sed "s/.*) //" /proc/$pid/stat 2>/dev/null); if [ $# -lt 20 ] || [ "$1" = Z ] || [ "${20}" != "$start" ]; then rm -f "$pidfile"; echo gone; exit 0; fi; for d in $nics; do dd if=/dev/zero of=/sys/bus/pci/devices/$d/resource0 bs=1 seek=18 count=1 conv=notrunc 2>/dev/null || { echo "cannot reset $d" >&2; exit 1; }; done; if [ "$sig" = - ]; then echo "running $pid"; else kill -"$sig" "$pid" && echo "signalled $pid"; fi\'\\\'\' stop /tmp/lwaftrctl-lwaftr1/lwaftr.pid TERM 0000:00:08.0 0000:00:09.0\'',
  ],
  ['lwaftr stop', '# wait up to 5s for the guest process in /tmp/lwaftrctl-lwaftr1/lwaftr.pid to exit; done if so'],
  [
    'lwaftr stop',
    'ssh -p 22 -i /home/op/.ssh/lwaftr_vm -o UserKnownHostsFile=/run/lwaftrctl/lwaftr1/known_hosts -o StrictHostKeyChecking=yes igalia@10.21.21.2 \'sh -c \'\\\'\'pidfile=$1 sig=$2; shift 2; nics=$*; test -r "$pidfile" || { echo stopped; exit 0; }; read pid start <"$pidfile"; set -- $(sed "s/.*) //" /proc/$pid/stat 2>/dev/null); if [ $# -lt 20 ] || [ "$1" = Z ] || [ "${20}" != "$start" ]; then rm -f "$pidfile"; echo gone; exit 0; fi; for d in $nics; do dd if=/dev/zero of=/sys/bus/pci/devices/$d/resource0 bs=1 seek=18 count=1 conv=notrunc 2>/dev/null || { echo "cannot reset $d" >&2; exit 1; }; done; if [ "$sig" = - ]; then echo "running $pid"; else kill -"$sig" "$pid" && echo "signalled $pid"; fi\'\\\'\' stop /tmp/lwaftrctl-lwaftr1/lwaftr.pid KILL\'',
  ],
  ['lwaftr stop', '# still there: wait up to 5s for the guest process in /tmp/lwaftrctl-lwaftr1/lwaftr.pid to exit'],
  ['vm stop', '# lwaftr stop'],
  ['vm stop', '# reset the virtio NICs 0000:00:08.0 0000:00:09.0, then TERM, only if the recorded lwAFTR still runs'],
  [
    'vm stop',
    'ssh -p 22 -i /home/op/.ssh/lwaftr_vm -o UserKnownHostsFile=/run/lwaftrctl/lwaftr1/known_hosts -o StrictHostKeyChecking=yes igalia@10.21.21.2 \'sh -c \'\\\'\'pidfile=$1 sig=$2; shift 2; nics=$*; test -r "$pidfile" || { echo stopped; exit 0; }; read pid start <"$pidfile"; set -- $(sed "s/.*) //" /proc/$pid/stat 2>/dev/null); if [ $# -lt 20 ] || [ "$1" = Z ] || [ "${20}" != "$start" ]; then rm -f "$pidfile"; echo gone; exit 0; fi; for d in $nics; do dd if=/dev/zero of=/sys/bus/pci/devices/$d/resource0 bs=1 seek=18 count=1 conv=notrunc 2>/dev/null || { echo "cannot reset $d" >&2; exit 1; }; done; if [ "$sig" = - ]; then echo "running $pid"; else kill -"$sig" "$pid" && echo "signalled $pid"; fi\'\\\'\' stop /tmp/lwaftrctl-lwaftr1/lwaftr.pid TERM 0000:00:08.0 0000:00:09.0\'',
  ],
  ['vm stop', '# wait up to 5s for the guest process in /tmp/lwaftrctl-lwaftr1/lwaftr.pid to exit; done if so'],
  [
    'vm stop',
    'ssh -p 22 -i /home/op/.ssh/lwaftr_vm -o UserKnownHostsFile=/run/lwaftrctl/lwaftr1/known_hosts -o StrictHostKeyChecking=yes igalia@10.21.21.2 \'sh -c \'\\\'\'pidfile=$1 sig=$2; shift 2; nics=$*; test -r "$pidfile" || { echo stopped; exit 0; }; read pid start <"$pidfile"; set -- $(sed "s/.*) //" /proc/$pid/stat 2>/dev/null); if [ $# -lt 20 ] || [ "$1" = Z ] || [ "${20}" != "$start" ]; then rm -f "$pidfile"; echo gone; exit 0; fi; for d in $nics; do dd if=/dev/zero of=/sys/bus/pci/devices/$d/resource0 bs=1 seek=18 count=1 conv=notrunc 2>/dev/null || { echo "cannot reset $d" >&2; exit 1; }; done; if [ "$sig" = - ]; then echo "running $pid"; else kill -"$sig" "$pid" && echo "signalled $pid"; fi\'\\\'\' stop /tmp/lwaftrctl-lwaftr1/lwaftr.pid KILL\'',
  ],
  ['vm stop', '# still there: wait up to 5s for the guest process in /tmp/lwaftrctl-lwaftr1/lwaftr.pid to exit'],
  ['vm stop', '# vm stop'],
  [
    'vm stop',
    'printf \'%s\\n\' \'{"execute":"qmp_capabilities"}\' \'{"execute":"system_powerdown"}\' | socat - UNIX-CONNECT:/run/lwaftrctl/lwaftr1/qmp.sock',
  ],
  ['vm stop', '# wait up to 30s for QEMU (pid file /run/lwaftrctl/lwaftr1/qemu.pid) to exit; done if so'],
  [
    'vm stop',
    'printf \'%s\\n\' \'{"execute":"qmp_capabilities"}\' \'{"execute":"quit"}\' | socat - UNIX-CONNECT:/run/lwaftrctl/lwaftr1/qmp.sock',
  ],
  ['vm stop', '# still there: wait up to 5s for QEMU (pid file /run/lwaftrctl/lwaftr1/qemu.pid) to exit; done if so'],
  [
    'vm stop',
    'kill -TERM "$(cat /run/lwaftrctl/lwaftr1/qemu.pid)"  # only if its start time and command line still match (QEMU (pid file /run/lwaftrctl/lwaftr1/qemu.pid))',
  ],
  ['vm stop', '# still there: wait up to 5s for QEMU (pid file /run/lwaftrctl/lwaftr1/qemu.pid) to exit; done if so'],
  [
    'vm stop',
    'kill -KILL "$(cat /run/lwaftrctl/lwaftr1/qemu.pid)"  # only if its start time and command line still match (QEMU (pid file /run/lwaftrctl/lwaftr1/qemu.pid))',
  ],
  ['vm stop', '# still there: wait up to 5s for QEMU (pid file /run/lwaftrctl/lwaftr1/qemu.pid) to exit'],
  ['vm stop force', '# lwaftr stop'],
  [
    'vm stop force',
    '# reset the virtio NICs 0000:00:08.0 0000:00:09.0, then TERM, only if the recorded lwAFTR still runs',
  ],
  [
    'vm stop force',
    'ssh -p 22 -i /home/op/.ssh/lwaftr_vm -o UserKnownHostsFile=/run/lwaftrctl/lwaftr1/known_hosts -o StrictHostKeyChecking=yes igalia@10.21.21.2 \'sh -c \'\\\'\'pidfile=$1 sig=$2; shift 2; nics=$*; test -r "$pidfile" || { echo stopped; exit 0; }; read pid start <"$pidfile"; set -- $(sed "s/.*) //" /proc/$pid/stat 2>/dev/null); if [ $# -lt 20 ] || [ "$1" = Z ] || [ "${20}" != "$start" ]; then rm -f "$pidfile"; echo gone; exit 0; fi; for d in $nics; do dd if=/dev/zero of=/sys/bus/pci/devices/$d/resource0 bs=1 seek=18 count=1 conv=notrunc 2>/dev/null || { echo "cannot reset $d" >&2; exit 1; }; done; if [ "$sig" = - ]; then echo "running $pid"; else kill -"$sig" "$pid" && echo "signalled $pid"; fi\'\\\'\' stop /tmp/lwaftrctl-lwaftr1/lwaftr.pid TERM 0000:00:08.0 0000:00:09.0\'',
  ],
  ['vm stop force', '# wait up to 5s for the guest process in /tmp/lwaftrctl-lwaftr1/lwaftr.pid to exit; done if so'],
  [
    'vm stop force',
    'ssh -p 22 -i /home/op/.ssh/lwaftr_vm -o UserKnownHostsFile=/run/lwaftrctl/lwaftr1/known_hosts -o StrictHostKeyChecking=yes igalia@10.21.21.2 \'sh -c \'\\\'\'pidfile=$1 sig=$2; shift 2; nics=$*; test -r "$pidfile" || { echo stopped; exit 0; }; read pid start <"$pidfile"; set -- $(sed "s/.*) //" /proc/$pid/stat 2>/dev/null); if [ $# -lt 20 ] || [ "$1" = Z ] || [ "${20}" != "$start" ]; then rm -f "$pidfile"; echo gone; exit 0; fi; for d in $nics; do dd if=/dev/zero of=/sys/bus/pci/devices/$d/resource0 bs=1 seek=18 count=1 conv=notrunc 2>/dev/null || { echo "cannot reset $d" >&2; exit 1; }; done; if [ "$sig" = - ]; then echo "running $pid"; else kill -"$sig" "$pid" && echo "signalled $pid"; fi\'\\\'\' stop /tmp/lwaftrctl-lwaftr1/lwaftr.pid KILL\'',
  ],
  ['vm stop force', '# still there: wait up to 5s for the guest process in /tmp/lwaftrctl-lwaftr1/lwaftr.pid to exit'],
  ['vm stop force', '# vm stop'],
  [
    'vm stop force',
    'kill -KILL "$(cat /run/lwaftrctl/lwaftr1/qemu.pid)"  # only if its start time and command line still match (QEMU (pid file /run/lwaftrctl/lwaftr1/qemu.pid))',
  ],
  ['vm stop force', '# wait up to 5s for QEMU (pid file /run/lwaftrctl/lwaftr1/qemu.pid) to exit'],
  ['snabbnfv stop', '# snabbnfv stop'],
  [
    'snabbnfv stop',
    'kill -TERM "$(cat /run/lwaftrctl/lwaftr1/snabbnfv-1.pid)"  # only if its start time and command line still match (snabbnfv port 1 (pid file /run/lwaftrctl/lwaftr1/snabbnfv-1.pid))',
  ],
  [
    'snabbnfv stop',
    'kill -TERM "$(cat /run/lwaftrctl/lwaftr1/snabbnfv-2.pid)"  # only if its start time and command line still match (snabbnfv port 2 (pid file /run/lwaftrctl/lwaftr1/snabbnfv-2.pid))',
  ],
  [
    'snabbnfv stop',
    '# wait up to 5s for snabbnfv port 1 (pid file /run/lwaftrctl/lwaftr1/snabbnfv-1.pid) and snabbnfv port 2 (pid file /run/lwaftrctl/lwaftr1/snabbnfv-2.pid) to exit; done if so',
  ],
  [
    'snabbnfv stop',
    'kill -KILL "$(cat /run/lwaftrctl/lwaftr1/snabbnfv-1.pid)"  # only if its start time and command line still match (snabbnfv port 1 (pid file /run/lwaftrctl/lwaftr1/snabbnfv-1.pid))',
  ],
  [
    'snabbnfv stop',
    'kill -KILL "$(cat /run/lwaftrctl/lwaftr1/snabbnfv-2.pid)"  # only if its start time and command line still match (snabbnfv port 2 (pid file /run/lwaftrctl/lwaftr1/snabbnfv-2.pid))',
  ],
  [
    'snabbnfv stop',
    '# still there: wait up to 5s for snabbnfv port 1 (pid file /run/lwaftrctl/lwaftr1/snabbnfv-1.pid) and snabbnfv port 2 (pid file /run/lwaftrctl/lwaftr1/snabbnfv-2.pid) to exit',
  ],
  [
    'snabbnfv stop',
    'screen -S "$(screen -ls | grep -o \'[0-9]*\\.snabbnfv-1\\b\')" -X quit  # only if the session is still there',
  ],
  [
    'snabbnfv stop',
    'screen -S "$(screen -ls | grep -o \'[0-9]*\\.snabbnfv-2\\b\')" -X quit  # only if the session is still there',
  ],
];

/** No KVM: TCG, memfd, user networking, one core per vCPU, the built-in lwAFTR command. */
const TCG_HOST: [string, string][] = [
  ['vm start', '# vm start'],
  ['vm start', 'mkdir -p /run/lwaftrctl/tcg1'],
  [
    'vm start',
    '[ ! -e /run/lwaftrctl/tcg1/console.log ] || mv -f /run/lwaftrctl/tcg1/console.log /run/lwaftrctl/tcg1/console.log.1',
  ],
  [
    'vm start',
    '[ ! -e /run/lwaftrctl/tcg1/qemu.log ] || mv -f /run/lwaftrctl/tcg1/qemu.log /run/lwaftrctl/tcg1/qemu.log.1',
  ],
  ['vm start', '# starts paused (-S); QEMU answers QMP once both backends have connected'],
  [
    'vm start',
    "setsid taskset -c 0 qemu-system-x86_64 -name tcg1,debug-threads=on -machine pc,accel=tcg -cpu max -smp 2 -m 512M -object memory-backend-memfd,id=mem,size=512M,share=on -numa node,memdev=mem -chardev socket,id=char1,path=/run/lwaftrctl/tcg1/vh1a.sock,server=on,wait=off -netdev type=vhost-user,id=net0,chardev=char1 -device virtio-net-pci,netdev=net0,addr=0x8,mac=52:54:00:00:00:01,vectors=0 -chardev socket,id=char2,path=/run/lwaftrctl/tcg1/vh1b.sock,server=on,wait=off -netdev type=vhost-user,id=net1,chardev=char2 -device virtio-net-pci,netdev=net1,addr=0x9,mac=52:54:00:00:00:02,vectors=0 -netdev user,id=mgmt,restrict=on,hostfwd=tcp:127.0.0.1:10022-:22 -device virtio-net-pci,netdev=mgmt,addr=0xa,mac=52:54:00:00:00:03 -fsdev local,security_model=passthrough,id=fsdev0,path=/opt -device virtio-9p-pci,id=fs0,fsdev=fsdev0,mount_tag=share -kernel /vm/vmlinuz -initrd /vm/initramfs.cpio.gz -append 'console=ttyS1 hugepages=64 isolcpus=2-3 nohz_full=2-3' -display none -serial telnet:127.0.0.1:5001,server=on,wait=off -serial file:/run/lwaftrctl/tcg1/console.log -pidfile /run/lwaftrctl/tcg1/qemu.pid -qmp unix:/run/lwaftrctl/tcg1/qmp.sock,server=on,wait=off -S > /run/lwaftrctl/tcg1/qemu.log 2>&1 < /dev/null &",
  ],
  ['vm start', '# wait up to 60s for QMP greeting on /run/lwaftrctl/tcg1/qmp.sock (QEMU alive)'],
  ['vm start', '# wait up to 60s for vhost-user backends connected on char1, char2 (QMP query-chardev)'],
  ['vm start', '# vCPU threads: vCPU 0 to core 2, vCPU 1 to core 3'],
  ['vm start', '# for each vCPU, the thread id that QMP query-cpus-fast reports for its cpu-index:'],
  ['vm start', '#   vCPU 0: taskset -pc 2 THREAD_ID'],
  ['vm start', '#   vCPU 1: taskset -pc 3 THREAD_ID'],
  [
    'vm start',
    'printf \'%s\\n\' \'{"execute":"qmp_capabilities"}\' \'{"execute":"cont"}\' | socat - UNIX-CONNECT:/run/lwaftrctl/tcg1/qmp.sock',
  ],
  ['vm start', '# wait up to 60s for QMP query-status "running"'],
  [
    'vm start',
    "# wait up to 120s for the guest's SSH banner on 127.0.0.1:10022 (console: /run/lwaftrctl/tcg1/console.log)",
  ],
  ['lwaftr start', '# lwaftr start'],
  [
    'lwaftr start',
    'ssh -p 10022 -i /etc/lwaftr/id_ed25519 -o UserKnownHostsFile=/run/lwaftrctl/tcg1/known_hosts -o StrictHostKeyChecking=accept-new root@127.0.0.1 \'sh -c \'\\\'\'dir=$1 pidfile=$2 log=$3; shift 3; mkdir -p "$dir" && cd || exit 1; setsid "$@" >"$log" 2>&1 </dev/null & pid=$!; start=$(sed "s/.*) //" /proc/$pid/stat | cut -d" " -f20); echo "$pid $start" >"$pidfile"; echo "$pid $start"\'\\\'\' launch /tmp/lwaftrctl-tcg1 /tmp/lwaftrctl-tcg1/lwaftr.pid /tmp/lwaftrctl-tcg1/lwaftr.log /mnt/host/snabb/src/snabb lwaftr run --virtio --conf /mnt/host/snabb/lwaftr.conf --v4 0000:00:08.0 --v6 0000:00:09.0 --name tcg1 --cpu 1 -v\'',
  ],
  [
    'lwaftr start',
    '# wait up to 60s for the guest process in /tmp/lwaftrctl-tcg1/lwaftr.pid alive and a first line in /tmp/lwaftrctl-tcg1/lwaftr.log',
  ],
  ['snabbnfv start', '# snabbnfv start'],
  ['snabbnfv start', 'mkdir -p /run/lwaftrctl/tcg1'],
  ['snabbnfv start', '# screen writes its log at once'],
  ['snabbnfv start', "printf '%s\\n' 'logfile flush 0' > /run/lwaftrctl/tcg1/screenrc"],
  [
    'snabbnfv start',
    '[ ! -e /run/lwaftrctl/tcg1/snabbnfv-1.log ] || mv -f /run/lwaftrctl/tcg1/snabbnfv-1.log /run/lwaftrctl/tcg1/snabbnfv-1.log.1',
  ],
  ['snabbnfv start', '# port 1: soft <-> /run/lwaftrctl/tcg1/vh1a.sock'],
  [
    'snabbnfv start',
    'cd /opt/snabb/src && screen -c /run/lwaftrctl/tcg1/screenrc -L -Logfile /run/lwaftrctl/tcg1/snabbnfv-1.log -dmS tcg1-snabbnfv-1 sh -c \'echo $$ > "$0" && exec "$@"\' /run/lwaftrctl/tcg1/snabbnfv-1.pid taskset -c 0 /opt/snabb/src/snabb snabbnfv traffic soft /etc/lwaftr/a.cfg /run/lwaftrctl/tcg1/vh1a.sock',
  ],
  [
    'snabbnfv start',
    '[ ! -e /run/lwaftrctl/tcg1/snabbnfv-2.log ] || mv -f /run/lwaftrctl/tcg1/snabbnfv-2.log /run/lwaftrctl/tcg1/snabbnfv-2.log.1',
  ],
  ['snabbnfv start', '# port 2: soft <-> /run/lwaftrctl/tcg1/vh1b.sock'],
  [
    'snabbnfv start',
    'cd /opt/snabb/src && screen -c /run/lwaftrctl/tcg1/screenrc -L -Logfile /run/lwaftrctl/tcg1/snabbnfv-2.log -dmS tcg1-snabbnfv-2 sh -c \'echo $$ > "$0" && exec "$@"\' /run/lwaftrctl/tcg1/snabbnfv-2.pid taskset -c 0 /opt/snabb/src/snabb snabbnfv traffic soft /etc/lwaftr/b.cfg /run/lwaftrctl/tcg1/vh1b.sock',
  ],
  [
    'snabbnfv start',
    '# wait up to 10s for snabbnfv port 1 (pid file /run/lwaftrctl/tcg1/snabbnfv-1.pid) alive and "load: time:" in /run/lwaftrctl/tcg1/snabbnfv-1.log',
  ],
  [
    'snabbnfv start',
    '# wait up to 10s for snabbnfv port 2 (pid file /run/lwaftrctl/tcg1/snabbnfv-2.pid) alive and "load: time:" in /run/lwaftrctl/tcg1/snabbnfv-2.log',
  ],
];

describe('dry run, line by line', () => {
  it('of a 2015-era file', () => expectLines('lwaftrctl-2015.conf', OPERATOR_HOST));
  it('of a 2017-era file for the same host', () => expectLines('lwaftrctl-2017.conf', OPERATOR_HOST));
  it('of a host without KVM', () => expectLines('lwaftrctl-tcg.conf', TCG_HOST));
});
