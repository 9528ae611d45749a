#define _GNU_SOURCE
#include "internal.h"

#include <dlfcn.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

// OpenSSL 3.0 reads the DTLS retransmission timer from gettimeofday and offers no other clock:
// DTLS_set_timer_cb chooses only the durations, and BoringSSL's SSL_CTX_set_current_time_cb has no
// OpenSSL twin. So while a thread is inside a call on an association, its gettimeofday answers with the
// time that call was given; OpenSSL's timers then run on the caller's clock, the packet threads' or a
// test's. This definition interposes on libc's (libssl imports gettimeofday from the process), and every
// call outside an association's gets the system's time.
static __thread int clock_given;
static __thread struct timeval clock_now;

int gettimeofday(struct timeval *restrict time_value, void *restrict zone) {
    // glibc fills an obsolete struct timezone with zeros.
    if (zone != NULL) memset(zone, 0, 2 * sizeof(int));
    if (clock_given) {
        *time_value = clock_now;
        return 0;
    }
    struct timespec now;
    if (clock_gettime(CLOCK_REALTIME, &now) != 0) return -1;
    time_value->tv_sec = now.tv_sec;
    time_value->tv_usec = now.tv_nsec / 1000;
    return 0;
}

void mm_clock_enter(int64_t now_us) {
    clock_now.tv_sec = (time_t)(now_us / 1000000);
    clock_now.tv_usec = (suseconds_t)(now_us % 1000000);
    clock_given = 1;
}

void mm_clock_leave(void) {
    clock_given = 0;
}

int mm_clock_follows_caller(void) {
    // The definition the dynamic linker binds libssl's calls to: this one, unless something interposed first.
    int (*bound)(struct timeval *, void *) = (int (*)(struct timeval *, void *))dlsym(RTLD_DEFAULT, "gettimeofday");
    if (bound == NULL) return 0;
    const int64_t probe_us = 86400LL * 1000000 + 123456;
    mm_clock_enter(probe_us);
    struct timeval seen;
    bound(&seen, NULL);
    mm_clock_leave();
    return (int64_t)seen.tv_sec * 1000000 + seen.tv_usec == probe_us;
}
