#pragma once
// Sorting small arrays in place: insertion sort, stable, without allocation, and fast on input
// that is nearly sorted already. Quadratic, so it is for the small counts the kernel sorts (the
// memory map's boundaries, a ping's round trips). Context: any. Locking: none.
#include <kstd/span.h>

namespace kstd {

template<typename T>
void insertion_sort(Span<T> values)
{
    for (usize i = 1; i < values.size(); ++i) {
        T v = values[i];
        usize j = i;
        for (; j > 0 && v < values[j - 1]; --j)
            values[j] = values[j - 1];
        values[j] = v;
    }
}

}
