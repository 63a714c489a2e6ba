// Lab 7: the e1000's descriptor rings, its interrupt and the NAPI poll (lab/07-e1000/README.md).
//
// The grader's `net` peer is the other end of the wire (lab/grader/harness/net_peer.py). These
// tests set the scene and keep the guest answering; the points rest on what the host sees: the
// frames it receives (byte for byte), the replies to its pings and datagrams, the packet capture,
// and QEMU's trace of the NIC's registers. The scenarios are in lab7_scenarios.h.
#include "lab7_scenarios.h"
#include <kernel/test.h>

KTEST(lab7_probe, 7) { return lab7::probe(); }
KTEST(lab7_tx, 7) { return lab7::send_nonce_datagrams("lab7_tx"); }
KTEST(lab7_ping, 7) { return lab7::serve_until_done("lab7_ping"); }
KTEST(lab7_udp_echo, 7) { return lab7::echo_then_idle("lab7_udp_echo"); }
KTEST(lab7_napi_budget, 7) { return lab7::receive_burst("lab7_napi_budget"); }
