#!/bin/sh
# The disk `make run` attaches (primary master of the PIIX3 IDE, so it is hda at once): 16 MiB
# with an MBR, a FAT16 partition hda1 holding HELLO.TXT, and an empty Linux partition hda2.
# Made once; it keeps whatever you write to it until `make clean`.
#   tools/make_run_disk.sh build/run-disk.img
set -eu
image=$1
tmp=$image.tmp
rm -f "$tmp"
truncate -s 16M "$tmp"
printf 'label: dos\nstart=2048, size=16384, type=6\nstart=18432, type=83\n' | sfdisk --quiet "$tmp" >/dev/null
mkfs.fat -F 16 -s 2 -n CONDUIT --offset 2048 "$tmp" 8192 >/dev/null 2>&1
printf 'Hello from hda1, a FAT16 partition on the PIIX3 IDE disk.\nTry: disks, partitions, ata, sector hda1 0\n' \
    > "$tmp.txt"
MTOOLS_SKIP_CHECK=1 mcopy -i "$tmp@@1048576" "$tmp.txt" ::HELLO.TXT
rm -f "$tmp.txt"
mv "$tmp" "$image"
