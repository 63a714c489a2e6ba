#pragma once
// OwnPtr<T>: sole ownership of a heap object, deleted when the OwnPtr dies (SerenityOS's
// OwnPtr, std::unique_ptr without the deleter parameter). Objects are created with
//
//     auto dev = TRY(kstd::make<AtaDevice>(channel, 0));   // ENOMEM if the heap is empty
//
// Allocation uses `new (kstd::nothrow)`, so running out of memory is an ErrorOr, not a panic.
// Context: make() and destruction as the kernel heap allows; the rest any. Locking: none.
#include <kstd/error.h>
#include <kstd/new.h>
#include <kstd/utility.h>
#include <type_traits>

namespace kstd {

template<typename T>
class OwnPtr {
public:
    OwnPtr() = default;
    OwnPtr(decltype(nullptr)) {}
    // Takes ownership of `pointer`, which must come from `new` (or be null).
    explicit OwnPtr(T* pointer) : m_ptr(pointer) {}

    OwnPtr(OwnPtr&& other) noexcept : m_ptr(other.leak_ptr()) {}
    template<typename U>
        requires std::is_convertible_v<U*, T*>
    OwnPtr(OwnPtr<U>&& other) noexcept : m_ptr(other.leak_ptr()) {}

    OwnPtr& operator=(OwnPtr&& other)
    {
        if (this != &other)
            reset(other.leak_ptr());
        return *this;
    }
    template<typename U>
        requires std::is_convertible_v<U*, T*>
    OwnPtr& operator=(OwnPtr<U>&& other)
    {
        reset(other.leak_ptr());
        return *this;
    }
    OwnPtr& operator=(decltype(nullptr))
    {
        reset();
        return *this;
    }

    OwnPtr(OwnPtr const&) = delete;
    OwnPtr& operator=(OwnPtr const&) = delete;
    ~OwnPtr() { reset(); }

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
    bool is_null() const { return m_ptr == nullptr; }

    // Gives up ownership without deleting (e.g. to hand the object to C-style code).
    [[nodiscard]] T* leak_ptr() { return kstd::exchange(m_ptr, nullptr); }

    // Deletes the current object (if any) and owns `pointer` instead.
    void reset(T* pointer = nullptr)
    {
        T* old = kstd::exchange(m_ptr, pointer);
        delete old;
    }

private:
    T* m_ptr { nullptr };
};

// Adopts `pointer` (typically the result of `new (nothrow)`), or ENOMEM if it is null.
template<typename T>
ErrorOr<OwnPtr<T>> adopt_own_or_enomem(T* pointer)
{
    if (!pointer)
        return Error::from_errno(ENOMEM);
    return OwnPtr<T>(pointer);
}

// Allocates and constructs a T; ENOMEM when the allocator returns nullptr.
template<typename T, typename... Args>
ErrorOr<OwnPtr<T>> make(Args&&... args)
{
    return adopt_own_or_enomem(new (kstd::nothrow) T(kstd::forward<Args>(args)...));
}

}

using kstd::OwnPtr;
