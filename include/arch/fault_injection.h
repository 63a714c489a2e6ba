#pragma once
// Deliberate CPU exceptions, for the tests that show each exception is caught and named, and
// for the grader's self-tests. Never used outside tests.

namespace arch {

enum class InjectedFault {
    DivideError,          // #DE: div by zero
    Debug,                // #DB: single step (RFLAGS.TF)
    Breakpoint,           // #BP: int3
    InvalidOpcode,        // #UD: ud2
    DeviceNotAvailable,   // #NM: x87 instruction with CR0.TS set
    GeneralProtection,    // #GP: non-canonical address
    PageFault,            // #PF: read from an unmapped address
    AlignmentCheck,       // not injectable in ring 0 (AC only checks CPL 3): reported as unsupported
};

// Raises the fault. Returns only if the fault was caught (see arch::run_catching_faults).
void inject_fault(InjectedFault fault);

// The unmapped address InjectedFault::PageFault reads.
inline constexpr unsigned long long INJECTED_PAGE_FAULT_ADDRESS = 0xdeadb000;

// Loads an empty IDT and raises an exception: the CPU cannot deliver it, nor the double fault,
// so it resets (a triple fault). For the grader self-test only.
[[noreturn]] void trigger_triple_fault();

}
