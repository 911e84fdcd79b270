# The lab guest's management NIC, configured from the kernel command line (busybox sh).
# Sourced by the guest's /etc/init.d/rcS (scripts/build-lab-guest.sh), which calls mgmt_up.
#
# lwaftrctl puts ip=<VM_IP> on the command line for MGMT_NET=tap. The guest kernel cannot
# apply it itself: virtio_net is a module, loaded by rcS after the kernel's own ip=
# autoconfiguration would have run (and Debian builds that without it).
#
# Forms read:
#   ip=A.B.C.D              netmask from the address class, as the kernel and klibc's ipconfig do
#   ip=A.B.C.D/NN           an explicit prefix (VM_IP may be written so)
#   ip=<client>:<server>:<gw>:<netmask>:<hostname>:<device>:<autoconf>   the kernel's own form;
#                           static only (autoconf empty, off, none or static)
#   no ip= at all           QEMU user networking: 10.0.2.15/24, gateway 10.0.2.2
# The NIC: <device> when it names one, else the one whose MAC BOOTIF=01-aa-bb-cc-dd-ee-ff names
# (the PXE convention initramfs-tools and dracut read), else the first virtio NIC that is
# not a data NIC (lwaftrctl puts those at PCI 0000:00:08.0 and 0000:00:09.0).

# Prints "<address/prefix> <gateway> <device> <mac> <hostname>" for the kernel arguments
# given, "-" for each one unset; the address is "-" when ip= asks for no static address.
mgmt_settings() {
  local arg addr=10.0.2.15/24 gw=10.0.2.2 dev=- mac=- host=-
  for arg in "$@"; do
    case $arg in
      ip=*) parse_ip "${arg#ip=}" ;;
      BOOTIF=01-*) mac=$(echo "${arg#BOOTIF=01-}" | tr - : | tr A-F a-f) ;;
    esac
  done
  echo "$addr $gw $dev $mac $host"
}

parse_ip() { # <value of ip=>; sets addr gw dev host of its caller
  gw=- dev=- host=-
  case $1 in
    *:*) ;;
    *.*.*.*/*) addr=$1; return ;;
    *.*.*.*) addr=$1/$(class_prefix "$1"); return ;;
    *) addr=-; return ;; # off, none, dhcp...: no static address
  esac
  local client mask auto IFS=:
  # Empty fields between colons are kept: a non-blank IFS character delimits each field.
  set -f
  set -- $1
  set +f
  client=$1 gw=${3:--} mask=$4 host=${5:--} dev=${6:--} auto=$7
  case $auto in '' | off | none | static) ;; *) client= ;; esac
  if [ -z "$client" ]; then addr=-; return; fi
  if [ -n "$mask" ]; then addr=$client/$(mask_prefix "$mask"); else addr=$client/$(class_prefix "$client"); fi
}

class_prefix() { # <address>
  local first=${1%%.*}
  if [ "$first" -lt 128 ]; then echo 8; elif [ "$first" -lt 192 ]; then echo 16; else echo 24; fi
}

mask_prefix() { # <dotted netmask>
  local bits=0 octet IFS=.
  for octet in $1; do
    case $octet in
      255) bits=$((bits + 8)) ;; 254) bits=$((bits + 7)) ;; 252) bits=$((bits + 6)) ;;
      248) bits=$((bits + 5)) ;; 240) bits=$((bits + 4)) ;; 224) bits=$((bits + 3)) ;;
      192) bits=$((bits + 2)) ;; 128) bits=$((bits + 1)) ;;
    esac
  done
  echo $bits
}

mgmt_nic() { # <device> <mac>
  if [ "$1" != - ] && [ -e "/sys/class/net/$1" ]; then echo "$1"; return; fi
  local n pci
  if [ "$2" != - ]; then
    for n in /sys/class/net/*; do
      if [ "$(cat "$n/address")" = "$2" ]; then echo "${n##*/}"; return; fi
    done
  fi
  for pci in /sys/bus/pci/devices/*; do
    case ${pci##*/} in 0000:00:08.0 | 0000:00:09.0) continue ;; esac
    n=$(ls "$pci"/virtio*/net 2>/dev/null) && [ -n "$n" ] && { echo "$n"; return; }
  done
  return 1
}

mgmt_up() {
  set -- $(mgmt_settings $(cat /proc/cmdline))
  local addr=$1 gw=$2 dev=$3 mac=$4 host=$5 nic
  if [ "$addr" = - ]; then echo "mgmt-net: ip= asks for no static address: management NIC left down"; return; fi
  if ! nic=$(mgmt_nic "$dev" "$mac"); then echo "mgmt-net: no management NIC found"; return 1; fi
  [ "$host" = - ] || hostname "$host"
  ip addr add "$addr" dev "$nic"
  ip link set dev "$nic" up
  [ "$gw" = - ] || ip route add default via "$gw"
  echo "mgmt-net: $nic $addr, gateway $gw"
}
