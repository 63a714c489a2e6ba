// ENUM_BITMASK operators and has()/has_any().
#include "support.h"
#include <kstd/bitmask.h>
#include <kstd/types.h>

namespace uart_test {

enum class Lsr : u8 {
    None = 0,
    DataReady = 1 << 0,
    OverrunError = 1 << 1,
    ThrEmpty = 1 << 5,
    TxIdle = 1 << 6,
    FifoError = 1 << 7,
};
ENUM_BITMASK(Lsr)

enum class Ier : u8 { None = 0, RxAvailable = 1 << 0, ThrEmpty = 1 << 1 };
ENUM_BITMASK(Ier)

}

using uart_test::Ier;
using uart_test::Lsr;

// Works in constant expressions, e.g. for register defaults.
static_assert((Lsr::DataReady | Lsr::ThrEmpty) == Lsr(0x21));
static_assert(has(Lsr::DataReady | Lsr::ThrEmpty, Lsr::ThrEmpty));

// An enum that did not opt in has no operator|, and bits of two registers do not mix.
template<typename A, typename B>
concept CanOr = requires(A a, B b) { a | b; };
enum class NotABitmask : u8 { A = 1, B = 2 };
static_assert(!CanOr<NotABitmask, NotABitmask>);
static_assert(!CanOr<Lsr, Ier>);
static_assert(CanOr<Lsr, Lsr>);

TEST_CASE("bitmask operators", "[bitmask]")
{
    Lsr status = Lsr::DataReady | Lsr::TxIdle;
    CHECK(kstd::to_underlying(status) == 0x41);
    CHECK((status & Lsr::TxIdle) == Lsr::TxIdle);
    CHECK((status & Lsr::ThrEmpty) == Lsr::None);
    CHECK((status ^ Lsr::DataReady) == Lsr::TxIdle);
    // ~ stays within the underlying type (u8), so it can clear bits.
    CHECK(kstd::to_underlying(~Lsr::DataReady) == 0xfe);
    CHECK((status & ~Lsr::DataReady) == Lsr::TxIdle);

    status |= Lsr::FifoError;
    CHECK(kstd::to_underlying(status) == 0xc1);
    status &= ~Lsr::TxIdle;
    CHECK(kstd::to_underlying(status) == 0x81);
    status ^= Lsr::FifoError;
    CHECK(status == Lsr::DataReady);
}

TEST_CASE("has requires all bits, has_any one of them", "[bitmask]")
{
    Lsr status = Lsr::DataReady | Lsr::ThrEmpty;
    CHECK(has(status, Lsr::DataReady));
    CHECK(has(status, Lsr::DataReady | Lsr::ThrEmpty));
    CHECK_FALSE(has(status, Lsr::DataReady | Lsr::TxIdle));
    CHECK(has_any(status, Lsr::DataReady | Lsr::TxIdle));
    CHECK_FALSE(has_any(status, Lsr::OverrunError | Lsr::TxIdle));
    CHECK(has(Ier::RxAvailable | Ier::ThrEmpty, Ier::ThrEmpty));
    // The empty set is contained in everything.
    CHECK(has(status, Lsr::None));
}
