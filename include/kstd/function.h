#pragma once
// Function<R(Args...)>: a type-erased callable stored inline, never on the heap, so work items,
// timers and IRQ callbacks can carry a lambda without an allocation that could fail.
//
//     Function<void()> work = [dev, port] { dev->drain(port); };
//
// The callable must fit in Capacity bytes (default 32: four pointers' worth of captures), or
// the build fails with a static_assert that says so. Capture a pointer to a context struct
// if you need more. Function is move-only (like C++23 std::move_only_function), so move-only
// captures are fine. Calling an empty Function is a VERIFY failure.
// Context: any (storing and calling never allocate). Locking: none.
#include <kstd/error.h>
#include <kstd/types.h>
#include <kstd/utility.h>
#include <type_traits>

namespace kstd {

template<typename Signature, usize Capacity = 32>
class Function;

template<typename R, typename... Args, usize Capacity>
class Function<R(Args...), Capacity> {
public:
    Function() = default;
    Function(decltype(nullptr)) {}

    template<typename F>
        requires(!std::is_same_v<std::remove_cvref_t<F>, Function>
                 && std::is_invocable_r_v<R, std::decay_t<F>&, Args...>)
    Function(F&& callable)
    {
        using Callable = std::decay_t<F>;
        static_assert(sizeof(Callable) <= Capacity,
            "callable too big for kstd::Function: capture less (a pointer to a context) or raise Capacity");
        static_assert(alignof(Callable) <= alignof(Storage), "callable over-aligned for kstd::Function");
        if constexpr (std::is_pointer_v<Callable> || std::is_member_pointer_v<Callable>) {
            if (callable == nullptr)
                return; // a null function pointer makes an empty Function, as in std::function
        }
        new (&m_storage) Callable(kstd::forward<F>(callable));
        m_ops = &ops_for<Callable>;
    }

    Function(Function&& other) { take(other); }
    Function& operator=(Function&& other)
    {
        if (this != &other) {
            reset();
            take(other);
        }
        return *this;
    }
    Function& operator=(decltype(nullptr))
    {
        reset();
        return *this;
    }
    Function(Function const&) = delete;
    Function& operator=(Function const&) = delete;
    ~Function() { reset(); }

    // Const like std::function: calling does not change which callable is stored, even if the
    // callable (a mutable lambda) changes its own captures.
    R operator()(Args... args) const
    {
        VERIFY(m_ops != nullptr);
        return m_ops->invoke(const_cast<Storage*>(&m_storage), kstd::forward<Args>(args)...);
    }

    explicit operator bool() const { return m_ops != nullptr; }
    bool is_empty() const { return m_ops == nullptr; }

    void reset()
    {
        if (m_ops)
            m_ops->destroy(&m_storage);
        m_ops = nullptr;
    }

private:
    struct Storage {
        alignas(16) u8 bytes[Capacity];
    };

    // One constant table per stored type: the manual equivalent of a vtable.
    struct Ops {
        R (*invoke)(Storage*, Args&&...);
        void (*move_to)(Storage* from, Storage* to);
        void (*destroy)(Storage*);
    };

    template<typename Callable>
    static Callable* as(Storage* storage) { return reinterpret_cast<Callable*>(storage); }

    template<typename Callable>
    static constexpr Ops ops_for {
        [](Storage* s, Args&&... args) -> R { return (*as<Callable>(s))(kstd::forward<Args>(args)...); },
        [](Storage* from, Storage* to) {
            new (to) Callable(kstd::move(*as<Callable>(from)));
            as<Callable>(from)->~Callable();
        },
        [](Storage* s) { as<Callable>(s)->~Callable(); },
    };

    void take(Function& other)
    {
        if (other.m_ops) {
            other.m_ops->move_to(&other.m_storage, &m_storage);
            m_ops = kstd::exchange(other.m_ops, nullptr);
        }
    }

    Storage m_storage;
    Ops const* m_ops { nullptr };
};

}

using kstd::Function;
