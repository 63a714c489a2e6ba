#pragma once
// Building blocks of the device classes (kernel/dev): reference counts, statistics counters and
// the gate that lets a device be removed while files and requests still point at it.
//
// The problem they solve: a driver may unregister its device (hot unplug, module unload, a test)
// while a thread is inside read() and another holds an open File. Conduit's answer, which every
// class core follows:
//   * Objects are reference counted (RefCounted + Ref<T>): an open File or a queued request keeps
//     the *object* alive, so nothing ever points at freed memory.
//   * Every call into a driver passes through the device's Gate. Unregistering closes the gate
//     (new calls fail with ENODEV), wakes sleepers, and waits until everyone inside has left.
//     After that the driver is never called again for that device and may free its state.
#include <kernel/sched/sync.h>
#include <kstd/error.h>
#include <kstd/types.h>
#include <kstd/utility.h>

namespace dev {

// Device and interface names ("ttyS0", "ram0", "eth0") are at most this long.
inline constexpr usize MAX_NAME_LENGTH = 31;

// An intrusive reference count. A new object starts with one reference, owned by its creator
// (hand it to Ref<T>::adopt). The last unref() deletes the object through the virtual destructor.
// Context: ref() any; unref() thread (it may free). Locking: none (atomic).
class RefCounted {
public:
    RefCounted(RefCounted const&) = delete;
    RefCounted& operator=(RefCounted const&) = delete;

    void ref() const { __atomic_add_fetch(&m_refs, 1, __ATOMIC_RELAXED); }
    void unref() const
    {
        if (__atomic_sub_fetch(&m_refs, 1, __ATOMIC_ACQ_REL) == 0)
            delete this;
    }
    u32 ref_count() const { return __atomic_load_n(&m_refs, __ATOMIC_RELAXED); }

protected:
    RefCounted() = default;
    virtual ~RefCounted() = default;

private:
    mutable u32 m_refs { 1 };
};

// A counted pointer to a RefCounted object (SerenityOS's RefPtr, reduced): copying takes a
// reference, destruction drops it. Context: as RefCounted.
template<typename T>
class Ref {
public:
    Ref() = default;
    // Takes a new reference to `object`.
    explicit Ref(T& object) : m_ptr(&object) { object.ref(); }
    // Takes over a reference the caller already owns (e.g. a freshly created object's).
    static Ref adopt(T* object)
    {
        Ref ref;
        ref.m_ptr = object;
        return ref;
    }

    Ref(Ref const& other) : m_ptr(other.m_ptr)
    {
        if (m_ptr)
            m_ptr->ref();
    }
    Ref(Ref&& other) : m_ptr(kstd::exchange(other.m_ptr, nullptr)) {}
    Ref& operator=(Ref other)
    {
        kstd::swap(m_ptr, other.m_ptr);
        return *this;
    }
    ~Ref() { reset(); }

    void reset()
    {
        if (T* old = kstd::exchange(m_ptr, nullptr))
            old->unref();
    }

    T* ptr() const { return m_ptr; }
    T* operator->() const
    {
        VERIFY(m_ptr);
        return m_ptr;
    }
    T& operator*() const
    {
        VERIFY(m_ptr);
        return *m_ptr;
    }
    explicit operator bool() const { return m_ptr != nullptr; }

private:
    T* m_ptr { nullptr };
};

// A statistics counter that any context may bump (top halves included). Relaxed atomics: the
// numbers are for people and tests, not for synchronisation.
class Counter {
public:
    void add(u64 amount = 1) { __atomic_add_fetch(&m_value, amount, __ATOMIC_RELAXED); }
    u64 get() const { return __atomic_load_n(&m_value, __ATOMIC_RELAXED); }

private:
    u64 m_value { 0 };
};

// The door into a driver. Callers enter() before calling a driver entry point (or before handing
// the driver a request) and leave() afterwards (or when the request completes). close() shuts
// the door; drain() then sleeps until the last one inside has left.
//
// A thread that sleeps while inside (a blocking read) must watch is_closed() in its wait
// condition, or drain() would wait for it forever; chardev::wait_until does this for you.
class Gate {
public:
    Gate() = default;
    Gate(Gate const&) = delete;
    Gate& operator=(Gate const&) = delete;

    // Errors: ENODEV once the gate is closed. Context: any. Locking: none held of this gate.
    [[nodiscard]] ErrorOr<void> enter();
    // Context: any (completion paths run in top halves). Locking: as enter().
    void leave();
    // Later enter() calls fail. Context: any.
    void close();
    // Sleeps until nobody is inside; warns on the console every few seconds while it waits, so a
    // driver that sleeps without watching is_closed() is named rather than hanging silently.
    // Context: thread (might_sleep). `what` names the device in the warning.
    void drain(char const* what);

    bool is_closed() const { return __atomic_load_n(&m_closed, __ATOMIC_ACQUIRE); }
    u32 inside() const { return __atomic_load_n(&m_inside, __ATOMIC_RELAXED); }

    // RAII pass for a call that enters and leaves in the same scope.
    class Pass {
    public:
        explicit Pass(Gate& gate) : m_gate(&gate) {}
        Pass(Pass&& other) : m_gate(kstd::exchange(other.m_gate, nullptr)) {}
        Pass(Pass const&) = delete;
        Pass& operator=(Pass const&) = delete;
        Pass& operator=(Pass&&) = delete;
        ~Pass()
        {
            if (m_gate)
                m_gate->leave();
        }

    private:
        Gate* m_gate;
    };
    [[nodiscard]] ErrorOr<Pass> pass()
    {
        TRY(enter());
        return Pass(*this);
    }

private:
    sched::Spinlock m_lock { "dev-gate" };
    u32 m_inside { 0 };        // Guarded by m_lock
    bool m_closed { false };   // Guarded by m_lock (read without it by is_closed)
    sched::WaitQueue m_drained;
};

}
