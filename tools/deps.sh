#!/usr/bin/env bash
# Installs the Debian packages Conduit needs to build, boot, test and debug, if any are missing.
# A no-op (and silent but for one line) when everything is present, so `make` can call it every time.
set -euo pipefail

# command-or-file : package that provides it
needs=(
  "qemu-system-x86_64:qemu-system-x86"
  "grub-mkrescue:grub-common"
  "/usr/lib/grub/i386-pc/multiboot2.mod:grub-pc-bin"
  "xorriso:xorriso"
  "mformat:mtools"
  "/usr/include/catch2/catch.hpp:catch2"
  "python3:python3"
  "gdb:gdb"
  "g++:g++"
  "make:make"
  "objcopy:binutils"
  "gnuplot:gnuplot-nox"
)

missing=()
for entry in "${needs[@]}"; do
  probe=${entry%%:*}
  pkg=${entry##*:}
  if [[ $probe == /* ]]; then
    [[ -e $probe ]] && continue
  else
    command -v "$probe" >/dev/null 2>&1 && continue
  fi
  missing+=("$pkg")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

echo "deps: installing missing Debian packages: ${missing[*]}"
if [[ $(id -u) -ne 0 ]]; then
  SUDO=sudo
else
  SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "deps: done"
