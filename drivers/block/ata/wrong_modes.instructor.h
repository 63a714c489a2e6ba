#pragma once
// Purpose-made wrong drivers for the grader's self-tests (never in a handout): each is one of
// the classic mistakes of labs 4-6, built from the right driver's parts with the mistake put
// in, and picked at boot by `selftest.wrong=NAME` (piix.cpp). The host tests run them against
// the PIIX model (tests/unit/ata_selftests.instructor.cpp); the QEMU self-tests are in the
// INSTRUCTOR block of tests/kernel/rubric.toml. Each must fail the lab test that names its bug.
#include "ata.h"

namespace ata::wrong {

extern AtaModeOps const no_bsy_wait;       // lab 4: reads the data port right after the command
extern AtaModeOps const drq_ignored;       // lab 4: waits for BSY, then moves a block without looking at DRQ/ERR
extern AtaModeOps const irq_polls;         // lab 5: "irq" mode that polls alternate status for every block
extern AtaModeOps const prd_no_eot;        // lab 6: PRD table without the end-of-table bit
extern AtaModeOps const prd_cross_64k;     // lab 6: the DMA API not told about the 64 KiB rule
extern AtaModeOps const no_bus_master;     // lab 6: bus mastering never enabled
extern AtaModeOps const unmap_early;       // lab 6: the buffer unmapped as soon as the engine starts
extern AtaModeOps const wrong_direction;   // lab 6: a read mapped to-device, a write from-device

// "ata_no_bsy_wait" -> &no_bsy_wait, ...; nullptr for an unknown name.
AtaModeOps const* by_name(StringView name);

}
