#!/bin/bash
# Lay out the lab's Snabb tree: <labdir>/snabb/src/snabb is the STAND-IN
# scripts/lab/snabb (not Snabb), next to an example lwAFTR configuration
# and a README that says so. The stand-in's snabbnfv needs
# <labdir>/dpdk from scripts/build-lab-dpdk.sh.
#
# Usage: scripts/build-lab-snabb.sh <labdir>
set -euo pipefail

readonly HERE=$(cd "$(dirname "$0")" && pwd)

step() { echo "build-lab-snabb: $*"; }
die() { echo "build-lab-snabb: error: $*" >&2; exit 1; }

# Replace <dest> only when its content differs, so reruns leave mtimes alone.
install_text() { # <dest> <mode>, text on stdin
  local tmp
  tmp=$(mktemp "$1.XXXXXX")
  cat >"$tmp"
  chmod "$2" "$tmp"
  if cmp -s "$tmp" "$1"; then rm -f "$tmp"; else mv -f "$tmp" "$1"; fi
}

write_readme() {
  cat <<'EOF'
THIS IS NOT SNABB.

src/snabb is a STAND-IN for Snabb (release v2024.06), for the lwaftrctl lab
only: a POSIX-sh script with the same command line and output lines as
`snabb snabbnfv traffic` and `snabb lwaftr run`, and none of Snabb's code.

- snabbnfv traffic (host) is a real vhost-user client: it runs DPDK's
  dpdk-testpmd from ../dpdk (scripts/build-lab-dpdk.sh), which sends every
  packet the guest sends on a port back into the guest. Lab only:
  scripts/lab-traffic.sh makes it send a capture and record what comes back.
- lwaftr run (guest) is a real userspace virtio-net driver: the same
  testpmd takes both NICs (uio_pci_generic) and forwards every frame from
  one to the other unchanged, publishing its counters where Snabb v2017.11
  does (/var/run/snabb/<pid>/apps/lwaftr/*.counter). It translates nothing.

lwaftr.conf is a small example configuration for the lwAFTR, in Snabb's
snabb-softwire-v3 YANG syntax.

To run the real thing, point lwaftrctl at a Snabb v2024.06 tree instead.
EOF
}

# One softwire, one instance: device is the IPv6 (B4-side) NIC and
# external-device the IPv4 NIC, as the lab VM places them.
write_lwaftr_conf() {
  cat <<'EOF'
softwire-config {
  binding-table {
    softwire {
      ipv4 178.79.150.233;
      psid 80;
      b4-ipv6 127:2:3:4:5:6:7:128;
      br-address 8:9:a:b:c:d:e:f;
      port-set {
        psid-length 16;
      }
    }
  }
  external-interface {
    allow-incoming-icmp false;
    error-rate-limiting {
      packets 600000;
    }
    reassembly {
      max-fragments-per-packet 40;
      max-packets 20000;
    }
  }
  instance {
    device 0000:00:09.0;
    queue {
      id 0;
      external-interface {
        ip 10.10.10.10;
        mac 52:54:00:00:00:01;
        next-hop {
          mac 68:68:68:68:68:68;
        }
      }
      internal-interface {
        ip 8:9:a:b:c:d:e:f;
        mac 52:54:00:00:00:02;
        next-hop {
          mac 44:44:44:44:44:44;
        }
      }
    }
    external-device 0000:00:08.0;
  }
  internal-interface {
    allow-incoming-icmp false;
    error-rate-limiting {
      packets 600000;
    }
    reassembly {
      max-fragments-per-packet 40;
      max-packets 20000;
    }
  }
}
EOF
}

main() {
  [ $# -eq 1 ] || die "usage: $0 <labdir>"
  local src=$HERE/lab/snabb
  [ -r "$src" ] || die "missing $src"
  local dest
  dest=$(mkdir -p "$1" && cd "$1" && pwd)/snabb
  mkdir -p "$dest/src"

  step "installing the Snabb stand-in as $dest/src/snabb"
  install_text "$dest/src/snabb" 755 <"$src"
  step "writing $dest/lwaftr.conf and $dest/README"
  write_lwaftr_conf | install_text "$dest/lwaftr.conf" 644
  write_readme | install_text "$dest/README" 644
  [ -x "${dest%/snabb}/dpdk/usr/bin/dpdk-testpmd" ] ||
    step "note: snabbnfv needs ${dest%/snabb}/dpdk: run scripts/build-lab-dpdk.sh $1"
  step "done"
}

main "$@"
