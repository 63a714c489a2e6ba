#pragma once
// Scenarios that drive the e1000's register-level code (drivers/net/e1000/nic.h) against the
// e1000 model, each returning the problems it found in words that name the bug (empty: none).
// e1000_test.cpp requires the driver to have none (lab 7's host tests); the instructor's
// e1000_wrong_test.instructor.cpp requires each purpose-made wrong driver to have the problem
// that names its bug.
#include "../../../drivers/net/e1000/nic.h"
#include <string>
#include <vector>

namespace models::e1000_scenarios {

using Problems = std::vector<std::string>;

// 150 frames of 60-1514 bytes through a 64-descriptor TX ring, reclaiming as DD comes back,
// then a full ring (the NIC busy): 63 frames taken, then EBUSY; every frame on the wire intact
// and in order; everything reclaimed and unmapped.
Problems transmit(e1000::RingOps const& ops);
// 100 frames in bursts into a 32-descriptor RX ring, handed up at most `budget` per call, intact
// and in order; then 40 frames with nobody receiving: 31 stored, 9 dropped by the NIC, and the
// driver notices the exhausted ring; frames handed up stay intact afterwards.
Problems receive(e1000::RingOps const& ops, u32 budget);
// The top half and the poll: 50 frames arrive at once; the top half reads ICR (the line drops),
// masks the ring causes and schedules the poll; each poll hands up at most `budget` frames; the
// last one rearms; 10 frames sent are reclaimed through a TXDW interrupt and a poll.
Problems napi(e1000::NapiOps const& ops, u32 budget);

}
