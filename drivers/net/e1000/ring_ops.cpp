// The driver's own ring operations as a table (rings.h: the grader's wrong drivers replace it).
#include "rings.h"

namespace e1000 {

RingOps const driver_ring_ops {
    .name = "driver",
    .tx_frame = tx_frame,
    .tx_reclaim = tx_reclaim,
    .rx_receive = rx_receive,
};

}
