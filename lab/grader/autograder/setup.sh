#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image (Ubuntu; Debian
# works too). It installs what grading a Conduit submission needs: the compiler and tools the
# pristine Makefile uses, QEMU, Python 3.11 or newer (the grader needs tomllib), and
# bubblewrap for the sandbox every submission's build and kernel run in.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
packages=(make g++ binutils qemu-system-x86 grub-common grub-pc-bin xorriso mtools
          bubblewrap util-linux git python3 catch2)
apt-get install -y -qq --no-install-recommends "${packages[@]}"
# Older Ubuntu images have Python 3.10 as python3 and a separate python3.11 package.
if ! python3 -c 'import tomllib' 2>/dev/null; then
    apt-get install -y -qq --no-install-recommends python3.11
fi
# The kernel is C++20 written for g++ 12; an older default g++ gets g++-12 beside it.
if [ "$(g++ -dumpversion | cut -d. -f1)" -lt 12 ]; then
    apt-get install -y -qq --no-install-recommends g++-12
    update-alternatives --install /usr/bin/g++ g++ /usr/bin/g++-12 100
fi
qemu-system-x86_64 --version | head -1
