#!/bin/bash
# Build REAL Snabb for the lab's real-Snabb flavor (conf/lab-real-snabb.conf):
# <labdir>/real-snabb is a Snabb tree with src/snabb built, which the guest
# runs over 9p as its lwAFTR (/mnt/host/real-snabb/src/snabb). The host side
# stays the lab's snabbnfv stand-in: real snabbnfv cannot serve QEMU 7.1 or
# later (it aborts on vhost-user request 14, SET_VRING_ERR).
#
# The sources, in this order:
#   $SNABB_SOURCES           a release tarball, a Snabb tree, or a git URL
#   <repo>/../shared/vendor/snabb/snabb-v2017.11.tar.gz
# Release v2017.11 is the last whose `lwaftr run --virtio` works in a guest
# (from v2018.01 its setup loops forever). Without sources this says so and
# exits 0: the rest of the lab does not need real Snabb.
#
# The build (make -j2, about 40 s on two cores) is redone only when the
# sources change. Usage: scripts/build-lab-real-snabb.sh <labdir>
set -euo pipefail

SELF=$(realpath "${BASH_SOURCE[0]}")
readonly REPO=${SELF%/scripts/*}
DEFAULT_SOURCES=$(realpath -m "$REPO/../shared/vendor/snabb/snabb-v2017.11.tar.gz")
readonly DEFAULT_SOURCES
# gcc 12 warns where Snabb v2017.11 did not expect it, and Snabb builds with -Werror.
readonly MAKE_ARGS=(-j2 "DEBUG=-Wno-stringop-truncation")

step() { echo "build-lab-real-snabb: $*"; }
die() { echo "build-lab-real-snabb: error: $*" >&2; exit 1; }

is_git_url() { [[ $1 =~ ^(https?|git|ssh)://|^[^/]+@[^/]+:|\.git$ ]]; }

# Prints a line that changes whenever the sources do.
source_id() { # <sources>
  if [ -f "$1" ]; then echo "tarball $(sha256sum <"$1" | cut -d' ' -f1)"
  elif [ -d "$1" ]; then echo "tree $(realpath "$1") $(find "$1" -type f -printf '%T@\n' | sort -n | tail -n 1)"
  else echo "git $1"
  fi
}

# Fills <dest> with the Snabb tree from <sources>.
fetch_sources() { # <sources> <dest>
  rm -rf "$2"
  if [ -f "$1" ]; then
    mkdir -p "$2"
    tar -xzf "$1" -C "$2" --strip-components=1 || die "cannot unpack $1"
  elif [ -d "$1" ]; then
    [ -f "$1/src/Makefile" ] || die "$1 is not a Snabb tree (no src/Makefile)"
    cp -a "$1" "$2"
  else
    command -v git >/dev/null || die "missing 'git' (Debian package git) to clone $1"
    git clone -q --depth 1 "$1" "$2" || die "git clone $1 failed"
  fi
  [ -f "$2/src/Makefile" ] || die "$1 holds no Snabb tree (no src/Makefile)"
}

main() {
  [ $# -eq 1 ] || die "usage: $0 <labdir>"
  local lab sources
  lab=$(mkdir -p "$1" && cd "$1" && pwd)
  DEST=$lab/real-snabb
  sources=${SNABB_SOURCES:-$DEFAULT_SOURCES}
  if [ -z "${SNABB_SOURCES:-}" ] && [ ! -e "$sources" ]; then
    if [ -x "$DEST/src/snabb" ]; then
      step "no real Snabb sources (none at $sources, SNABB_SOURCES unset): keeping the one built earlier in $DEST"
    else
      step "no real Snabb sources (none at $sources, SNABB_SOURCES unset): the real-Snabb flavor" \
        "(conf/lab-real-snabb.conf) is not built. Set SNABB_SOURCES to a Snabb v2017.11 tarball, tree or git URL to build it."
    fi
    return 0
  fi
  [ -e "$sources" ] || is_git_url "$sources" || die "SNABB_SOURCES=$sources is neither a file, a folder nor a git URL"

  local id
  id=$(source_id "$sources")
  if [ -x "$DEST/src/snabb" ] && [ "$(cat "$DEST/.lab-source" 2>/dev/null)" = "$id" ]; then
    step "up to date: $DEST/src/snabb ($("$DEST/src/snabb" --version 2>/dev/null | head -n 1), from $sources)"
    return 0
  fi
  local t
  for t in gcc:gcc make:make; do
    command -v "${t%%:*}" >/dev/null || die "missing '${t%%:*}' to build Snabb (Debian package ${t#*:})"
  done
  step "unpacking $sources into $DEST"
  fetch_sources "$sources" "$DEST"
  step "building Snabb: make ${MAKE_ARGS[*]} (about 40 s on two cores)"
  local log=$DEST/.lab-build.log
  (cd "$DEST" && make "${MAKE_ARGS[@]}") >"$log" 2>&1 || { tail -n 20 "$log" >&2; die "the Snabb build failed (full log: $log)"; }
  [ -x "$DEST/src/snabb" ] || die "the build left no $DEST/src/snabb (log: $log)"
  echo "$id" >"$DEST/.lab-source"
  step "done: $DEST/src/snabb ($("$DEST/src/snabb" --version 2>/dev/null | head -n 1))"
}

main "$@"
