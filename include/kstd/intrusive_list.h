#pragma once
// Doubly linked list whose links live inside the elements (run queues, wait queues, timer
// lists): linking never allocates, so it works in IRQ context and cannot fail.
//
//     struct Thread { IntrusiveListNode m_run_node; ... };
//     IntrusiveList<Thread, &Thread::m_run_node> run_queue;
//     run_queue.push_back(thread);
//
// Each node records the list it is on, so misuse is caught: linking a node that is already
// linked, removing a node that is not linked (or is on another list), and destroying a node
// while it is linked are VERIFY failures. The list does not own its elements; destroying a
// list unlinks whatever is left on it.
// Context: any. Locking: none inside; the owner guards each list with its lock.
#include <kstd/error.h>
#include <kstd/types.h>

namespace kstd {

class IntrusiveListBase;

class IntrusiveListNode {
public:
    IntrusiveListNode() = default;
    ~IntrusiveListNode() { VERIFY(!is_linked()); }
    // A copied node would claim membership it does not have.
    IntrusiveListNode(IntrusiveListNode const&) = delete;
    IntrusiveListNode& operator=(IntrusiveListNode const&) = delete;

    bool is_linked() const { return m_list != nullptr; }

private:
    friend class IntrusiveListBase;
    IntrusiveListNode* m_prev { nullptr };
    IntrusiveListNode* m_next { nullptr };
    IntrusiveListBase const* m_list { nullptr };
};

// The type-independent half: node linking and the element count.
class IntrusiveListBase {
public:
    IntrusiveListBase() = default;
    ~IntrusiveListBase() { clear(); }
    // Nodes point back at their list, so a list cannot be copied or moved.
    IntrusiveListBase(IntrusiveListBase const&) = delete;
    IntrusiveListBase& operator=(IntrusiveListBase const&) = delete;

    bool is_empty() const { return m_head == nullptr; }
    usize size() const { return m_size; }

    // Unlinks every node (the elements themselves are untouched).
    void clear()
    {
        while (m_head)
            unlink(*m_head);
    }

protected:
    static IntrusiveListNode* next_of(IntrusiveListNode const* node) { return node->m_next; }
    static IntrusiveListNode* prev_of(IntrusiveListNode const* node) { return node->m_prev; }
    bool owns(IntrusiveListNode const& node) const { return node.m_list == this; }

    // Inserts `node` before `position`; a null position appends.
    void link_before(IntrusiveListNode* position, IntrusiveListNode& node)
    {
        VERIFY(!node.is_linked());
        VERIFY(!position || owns(*position));
        IntrusiveListNode* prev = position ? position->m_prev : m_tail;
        node.m_prev = prev;
        node.m_next = position;
        node.m_list = this;
        (prev ? prev->m_next : m_head) = &node;
        (position ? position->m_prev : m_tail) = &node;
        ++m_size;
    }

    void unlink(IntrusiveListNode& node)
    {
        VERIFY(node.is_linked());
        VERIFY(owns(node)); // linked, but on another list
        (node.m_prev ? node.m_prev->m_next : m_head) = node.m_next;
        (node.m_next ? node.m_next->m_prev : m_tail) = node.m_prev;
        node.m_prev = node.m_next = nullptr;
        node.m_list = nullptr;
        --m_size;
    }

    IntrusiveListNode* m_head { nullptr };
    IntrusiveListNode* m_tail { nullptr };
    usize m_size { 0 };
};

template<typename T, IntrusiveListNode T::*member>
class IntrusiveList : public IntrusiveListBase {
public:
    void push_back(T& item) { link_before(nullptr, node_of(item)); }
    void push_front(T& item) { link_before(m_head, node_of(item)); }
    // Inserts `item` just before `position`, which must be on this list.
    void insert_before(T& position, T& item) { link_before(&node_of(position), node_of(item)); }
    // Inserts `item` just after `position` (on this list), or at the front when it is null.
    void insert_after(T* position, T& item)
    {
        link_before(position ? next_of(&node_of(*position)) : m_head, node_of(item));
    }

    // Removes `item`, which must be on this list.
    void remove(T& item) { unlink(node_of(item)); }

    // Unlinks and returns the first/last element, or nullptr when empty.
    T* pop_front() { return take(m_head); }
    T* pop_back() { return take(m_tail); }

    T* first() const { return m_head ? &item_of(*m_head) : nullptr; }
    T* last() const { return m_tail ? &item_of(*m_tail) : nullptr; }
    // The neighbours of `item`, which must be on this list; nullptr past either end.
    T* next(T const& item) const { return neighbour(next_of(&checked_node(item))); }
    T* prev(T const& item) const { return neighbour(prev_of(&checked_node(item))); }
    bool contains(T const& item) const { return owns(item.*member); }

    // Range-for support. The iterator fetches the next node before the body runs, so the body
    // may remove the element it is looking at (e.g. "wake every waiter whose condition holds"),
    // but no other element.
    class Iterator {
    public:
        explicit Iterator(IntrusiveListNode* node) : m_node(node), m_next(node ? next_of(node) : nullptr) {}
        T& operator*() const { return item_of(*m_node); }
        T* operator->() const { return &item_of(*m_node); }
        Iterator& operator++()
        {
            m_node = m_next;
            m_next = m_node ? next_of(m_node) : nullptr;
            return *this;
        }
        bool operator==(Iterator const& other) const { return m_node == other.m_node; }

    private:
        IntrusiveListNode* m_node;
        IntrusiveListNode* m_next;
    };

    Iterator begin() const { return Iterator(m_head); }
    Iterator end() const { return Iterator(nullptr); }

private:
    static IntrusiveListNode& node_of(T& item) { return item.*member; }
    IntrusiveListNode const& checked_node(T const& item) const
    {
        VERIFY(owns(item.*member));
        return item.*member;
    }
    static T* neighbour(IntrusiveListNode* node) { return node ? &item_of(*node) : nullptr; }

    // container_of for a pointer to member. Under the Itanium C++ ABI (section 2.3) a pointer
    // to data member is represented as the member's byte offset, which is what we need.
    static T& item_of(IntrusiveListNode& node)
    {
        static_assert(sizeof(member) == sizeof(usize));
        auto offset = __builtin_bit_cast(usize, member);
        return *reinterpret_cast<T*>(reinterpret_cast<u8*>(&node) - offset);
    }

    T* take(IntrusiveListNode* node)
    {
        if (!node)
            return nullptr;
        unlink(*node);
        return &item_of(*node);
    }
};

}

using kstd::IntrusiveList;
using kstd::IntrusiveListNode;
