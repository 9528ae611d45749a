#include "CMuxAtomics.h"

static _Thread_local int packet_thread_index = -1;

int mm_packet_thread_index(void) { return packet_thread_index; }

void mm_set_packet_thread_index(int index) { packet_thread_index = index; }
