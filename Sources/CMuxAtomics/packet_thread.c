#include "CMuxAtomics.h"

// initial-exec: the module is linked into the executable, never dlopen'ed, so the variable is one load
// relative to the thread pointer instead of a call to __tls_get_addr per media packet.
static _Thread_local int packet_thread_index __attribute__((tls_model("initial-exec"))) = -1;

int mm_packet_thread_index(void) { return packet_thread_index; }

void mm_set_packet_thread_index(int index) { packet_thread_index = index; }
