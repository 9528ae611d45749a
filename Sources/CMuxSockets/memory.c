#include "CMuxSockets.h"

#include <malloc.h>

int mm_malloc_trim(void) {
    return malloc_trim(0);
}
