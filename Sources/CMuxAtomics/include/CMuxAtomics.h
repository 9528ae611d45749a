#ifndef CMUX_ATOMICS_H
#define CMUX_ATOMICS_H

#include <stdint.h>

/// Counter slots that one thread writes and others read (per-thread shards): a relaxed load and store, no
/// locked instruction. Inline, so each is a plain add in the caller.
static inline void mm_counter_add_owned(int64_t *slot, int64_t amount) {
    __atomic_store_n(slot, __atomic_load_n(slot, __ATOMIC_RELAXED) + amount, __ATOMIC_RELAXED);
}
/// The shard that several threads write (those that are not packet threads).
static inline void mm_counter_add_shared(int64_t *slot, int64_t amount) {
    __atomic_fetch_add(slot, amount, __ATOMIC_RELAXED);
}
static inline int64_t mm_counter_read(const int64_t *slot) {
    return __atomic_load_n(slot, __ATOMIC_RELAXED);
}

/// The index of the packet thread the caller runs on, or -1 on any other thread. A thread-local variable:
/// Swift has no cheaper way to ask, and this one is read for every media packet.
int mm_packet_thread_index(void);
void mm_set_packet_thread_index(int index);

#endif
