#pragma once
// Console input for the monitor: bytes typed on the serial console.

namespace console_input {

// Blocks until a byte arrives. Context: thread.
char read_char();

}
