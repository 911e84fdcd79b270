#!/bin/bash
# Prove the lab's data path while the guest's lwAFTR is NOT running: send a
# few ARP probes out of the guest NIC at PCI 0000:00:08.0 and check that the
# host backend (the snabbnfv stand-in, which loops packets back) returns them
# to that NIC.
#
# Usage: scripts/lab-traffic-check.sh <ssh-port> <key-file> <known_hosts>
#            [--count N] [--socket <vhost-user socket of that NIC>]
# With --socket, the backend's own counters are read too (from the
# stand-in's dpdk-testpmd serving that socket); the verdict rests on the
# guest's counters alone. Exits 0 when at least N packets came back.
set -euo pipefail

readonly PCI=0000:00:08.0

die() { echo "lab-traffic-check: error: $*" >&2; exit 1; }

usage() {
  echo "usage: $0 <ssh-port> <key-file> <known_hosts> [--count N] [--socket PATH]" >&2
  exit 2
}

guest() { # <command...>
  ssh -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$KNOWN_HOSTS" \
    -o ConnectTimeout=5 -i "$KEY" -p "$PORT" root@127.0.0.1 "$@"
}

# Runs in the guest (busybox sh): prepares the NIC, sends <count> ARP probes
# and prints "name rx0 tx0 rx1 tx1".
readonly GUEST_SCRIPT='
set -e
PATH=/usr/sbin:/sbin:/usr/bin:/bin
pci=$1 count=$2
dev=/sys/bus/pci/devices/$pci
[ -d "$dev" ] || { echo "no PCI device $pci in the guest" >&2; exit 1; }
netdev() { ls "$dev"/virtio*/net 2>/dev/null | head -n 1; }
if [ -z "$(netdev)" ]; then
  # The lwAFTR (or an earlier run of it) took the NIC from the kernel.
  if ps | grep -v grep | grep -q "lwaftr run"; then
    echo "the lwAFTR is running in the guest: stop it first" >&2; exit 1
  fi
  echo "guest: giving $pci back to the kernel driver" >&2
  echo "$pci" >/sys/bus/pci/drivers/virtio-pci/bind
  i=0
  while [ -z "$(netdev)" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
fi
ifc=$(netdev)
[ -n "$ifc" ] || { echo "$pci has no network interface" >&2; exit 1; }
ip link set "$ifc" up
i=0
while [ "$(cat /sys/class/net/$ifc/carrier 2>/dev/null)" != 1 ] && [ $i -lt 30 ]; do
  sleep 0.1; i=$((i + 1))
done
[ "$(cat /sys/class/net/$ifc/carrier 2>/dev/null)" = 1 ] ||
  { echo "$ifc: link down (is the backend connected?)" >&2; exit 1; }
stats=/sys/class/net/$ifc/statistics
rx0=$(cat $stats/rx_packets) tx0=$(cat $stats/tx_packets)
# -D: probes from 0.0.0.0, so the NIC needs no address.
arping -D -c "$count" -I "$ifc" 192.0.2.1 >/dev/null || true
i=0
while [ $(($(cat $stats/rx_packets) - rx0)) -lt "$count" ] && [ $i -lt 30 ]; do
  sleep 0.1; i=$((i + 1))
done
echo "$ifc $rx0 $tx0 $(cat $stats/rx_packets) $(cat $stats/tx_packets)"
'

# The stand-in's dpdk-testpmd serving <socket>, and its port's counters.
backend_pid() { # <socket>
  local cmdline
  for cmdline in /proc/[0-9]*/cmdline; do
    case $(tr '\0' ' ' 2>/dev/null <"$cmdline") in
      *dpdk-testpmd*"iface=$1,client=1"*)
        cmdline=${cmdline%/cmdline}; echo "${cmdline#/proc/}"; return 0 ;;
    esac
  done
  return 1
}

# "seq rx tx" of the port serving <socket>: rx and tx packets in the
# stand-in's answer number <seq> from testpmd (it asks every second).
backend_counters() { # <pid> <socket>
  local run port
  run=$(dirname "$(readlink "/proc/$1/fd/0")")
  port=$(tr '\0' '\n' <"/proc/$1/cmdline" | grep '^net_vhost' | grep -n "iface=$2," | cut -d: -f1)
  awk -v p=$((port - 1)) '$2 == p { print $1, $3, $5 }' "$run/stats"
}

# Counters from an answer asked for after now: two answers later.
fresh_backend_counters() { # <pid> <socket>
  local seq0 seq c i
  read -r seq0 _ <<<"$(backend_counters "$1" "$2")"
  for i in $(seq 50); do
    c=$(backend_counters "$1" "$2")
    read -r seq _ <<<"$c"
    [ "$seq" -lt $((seq0 + 2)) ] || break
    sleep 0.1
  done
  echo "$c"
}

main() {
  [ $# -ge 3 ] || usage
  PORT=$1 KEY=$2 KNOWN_HOSTS=$3
  shift 3
  local count=5 socket=
  while [ $# -gt 0 ]; do
    case $1 in
      --count) [ $# -ge 2 ] || usage; count=$2; shift 2 ;;
      --socket) [ $# -ge 2 ] || usage; socket=$2; shift 2 ;;
      *) usage ;;
    esac
  done
  [ -r "$KEY" ] || die "cannot read key file $KEY"
  [ -r "$KNOWN_HOSTS" ] || die "cannot read known_hosts file $KNOWN_HOSTS"

  local bpid= b0= b1=
  if [ -n "$socket" ]; then
    bpid=$(backend_pid "$socket") || die "no stand-in backend (dpdk-testpmd) serves $socket"
    b0=$(fresh_backend_counters "$bpid" "$socket")
  fi

  local result ifc rx0 tx0 rx1 tx1
  result=$(guest sh -s -- "$PCI" "$count" <<<"$GUEST_SCRIPT") || die "guest side failed"
  read -r ifc rx0 tx0 rx1 tx1 <<<"$result"
  echo "guest: $ifc ($PCI) rx_packets $rx0 -> $rx1, tx_packets $tx0 -> $tx1"

  local forwarded="?" brx0 btx0 brx1 btx1
  if [ -n "$bpid" ]; then
    b1=$(fresh_backend_counters "$bpid" "$socket")
    read -r _ brx0 btx0 <<<"$b0"
    read -r _ brx1 btx1 <<<"$b1"
    echo "backend: testpmd pid $bpid on $socket: rx $brx0 -> $brx1, tx $btx0 -> $btx1"
    forwarded=$((btx1 - btx0))
  fi

  local sent=$((tx1 - tx0)) back=$((rx1 - rx0))
  echo "traffic check: sent $sent, received back $back (backend forwarded $forwarded)"
  [ "$sent" -ge "$count" ] || die "the guest sent only $sent of $count packets"
  [ "$back" -ge "$count" ] || die "only $back of $count packets came back"
}

main "$@"
