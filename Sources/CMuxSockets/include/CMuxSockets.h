// Linux socket calls Swift's Glibc module does not import (they need _GNU_SOURCE or live in headers it
// leaves out): epoll, eventfd, recvmmsg/sendmmsg with their arrays, naming a thread, and malloc_trim. Thin wrappers,
// no policy: MuxIO's I/O threads and the load generator decide what to do with them.
#ifndef CMUXSOCKETS_H
#define CMUXSOCKETS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

// ---- Readiness: epoll, level-triggered, one fd per entry ----

/// A new epoll set, or -1.
int mm_poller_create(void);
/// Watches `fd` for reading; 0 on success.
int mm_poller_add(int poller, int fd);
int mm_poller_remove(int poller, int fd);
/// Waits up to `timeout_ms` (-1: forever) and writes the readable fds into `ready`; returns how many, 0 on
/// timeout or interruption.
int mm_poller_wait(int poller, int *ready, int capacity, int timeout_ms);
/// The same, with what each fd is ready for in `flags` (MM_READABLE, MM_WRITABLE; a hang-up or error reads
/// as readable, so the next read says which).
int mm_poller_wait_flags(int poller, int *ready, uint32_t *flags, int capacity, int timeout_ms);
/// Watches `fd` for writing too while `on`; safe from any thread (the kernel serialises epoll_ctl).
int mm_poller_watch_writable(int poller, int fd, int on);

enum { MM_READABLE = 1, MM_WRITABLE = 2 };

// ---- TCP streams (ICE-TCP) ----

/// Accepts one pending connection as a non-blocking, close-on-exec socket with TCP_NODELAY; -1 with errno
/// set when none is pending (EAGAIN) or on error. Writes the peer's address.
int mm_tcp_accept(int listener, struct sockaddr_storage *peer, socklen_t *peer_length);
/// Sends without blocking and without SIGPIPE; the bytes sent, or -1 with errno set.
long mm_tcp_send(int fd, const void *bytes, size_t length);
/// Reads without blocking; the bytes read, 0 at the peer's end of stream, or -1 with errno set.
long mm_tcp_receive(int fd, void *bytes, size_t capacity);
/// Closes with an RST instead of a FIN (SO_LINGER 0): for a connection mediamux refuses, so the kernel
/// keeps no TIME_WAIT for it.
void mm_tcp_abort(int fd);
/// errno of the last call, read where Swift cannot lose it between two calls.
int mm_errno(void);

/// An eventfd another thread signals to wake a poller; -1 on failure.
int mm_wakeup_create(void);
void mm_wakeup_signal(int wakeup);
void mm_wakeup_drain(int wakeup);

/// Datagrams the kernel dropped because the socket's receive buffer was full (SO_MEMINFO), or -1.
long mm_socket_drops(int fd);

/// Names the calling thread (at most 15 characters show), for top and perf.
void mm_thread_name(const char *name);

// ---- Datagram batches: `capacity` slots of `slot_size` bytes, each with an address ----

typedef struct mm_batch mm_batch;

mm_batch *mm_batch_new(int capacity, int slot_size);
void mm_batch_free(mm_batch *batch);
uint8_t *mm_batch_slot(mm_batch *batch, int index);
struct sockaddr_storage *mm_batch_address(mm_batch *batch, int index);

/// Reads up to `capacity` queued datagrams without blocking (recvmmsg); returns how many, 0 when none.
int mm_batch_receive(mm_batch *batch, int fd);
/// Length of received datagram `index`, its source address length, and whether the kernel cut it.
int mm_batch_length(const mm_batch *batch, int index);
socklen_t mm_batch_address_length(const mm_batch *batch, int index);
int mm_batch_truncated(const mm_batch *batch, int index);

/// Readies slot `index` to send `length` bytes to its address, which is `address_length` long.
void mm_batch_set_outgoing(mm_batch *batch, int index, size_t length, socklen_t address_length);
/// Sends slots start..<start+count on `fd` in one sendmmsg; returns how many left, or -1 with errno set.
int mm_batch_send(mm_batch *batch, int fd, int start, int count);

/// glibc's malloc_trim(0): returns free pages of every arena to the kernel. <malloc.h> is not in Glibc's module.
int mm_malloc_trim(void);

#endif
