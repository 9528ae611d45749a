#define _GNU_SOURCE
#include "CMuxSockets.h"

#include <errno.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

int mm_poller_create(void) {
    return epoll_create1(EPOLL_CLOEXEC);
}

int mm_poller_add(int poller, int fd) {
    struct epoll_event event = {.events = EPOLLIN, .data.fd = fd};
    return epoll_ctl(poller, EPOLL_CTL_ADD, fd, &event);
}

int mm_poller_remove(int poller, int fd) {
    return epoll_ctl(poller, EPOLL_CTL_DEL, fd, NULL);
}

int mm_poller_wait(int poller, int *ready, int capacity, int timeout_ms) {
    struct epoll_event events[256];
    if (capacity > 256) capacity = 256;
    int count = epoll_wait(poller, events, capacity, timeout_ms);
    for (int i = 0; i < count; i++) ready[i] = events[i].data.fd;
    return count < 0 ? 0 : count;
}

int mm_poller_wait_flags(int poller, int *ready, uint32_t *flags, int capacity, int timeout_ms) {
    struct epoll_event events[256];
    if (capacity > 256) capacity = 256;
    int count = epoll_wait(poller, events, capacity, timeout_ms);
    for (int i = 0; i < count; i++) {
        uint32_t got = events[i].events;
        ready[i] = events[i].data.fd;
        flags[i] = ((got & (EPOLLIN | EPOLLHUP | EPOLLERR | EPOLLRDHUP)) ? MM_READABLE : 0) |
                   ((got & EPOLLOUT) ? MM_WRITABLE : 0);
    }
    return count < 0 ? 0 : count;
}

int mm_poller_watch_writable(int poller, int fd, int on) {
    struct epoll_event event = {.events = EPOLLIN | (on ? EPOLLOUT : 0), .data.fd = fd};
    return epoll_ctl(poller, EPOLL_CTL_MOD, fd, &event);
}

int mm_tcp_accept(int listener, struct sockaddr_storage *peer, socklen_t *peer_length) {
    *peer_length = sizeof *peer;
    int fd = accept4(listener, (struct sockaddr *)peer, peer_length, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return -1;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

long mm_tcp_send(int fd, const void *bytes, size_t length) {
    return (long)send(fd, bytes, length, MSG_DONTWAIT | MSG_NOSIGNAL);
}

long mm_tcp_receive(int fd, void *bytes, size_t capacity) {
    return (long)recv(fd, bytes, capacity, MSG_DONTWAIT);
}

void mm_tcp_abort(int fd) {
    struct linger linger = {.l_onoff = 1, .l_linger = 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, sizeof linger);
    close(fd);
}

int mm_errno(void) {
    return errno;
}

int mm_wakeup_create(void) {
    return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

void mm_wakeup_signal(int wakeup) {
    uint64_t one = 1;
    ssize_t written = write(wakeup, &one, sizeof one);
    (void)written;
}

void mm_wakeup_drain(int wakeup) {
    uint64_t count;
    ssize_t got = read(wakeup, &count, sizeof count);
    (void)got;
}

long mm_socket_drops(int fd) {
    uint32_t info[SK_MEMINFO_VARS];
    socklen_t length = sizeof info;
    if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, info, &length) != 0 || length < sizeof info) return -1;
    return (long)info[SK_MEMINFO_DROPS];
}

void mm_thread_name(const char *name) {
    char short_name[16];
    strncpy(short_name, name, sizeof short_name - 1);
    short_name[sizeof short_name - 1] = 0;
    pthread_setname_np(pthread_self(), short_name);
}

struct mm_batch {
    int capacity;
    int slot_size;
    uint8_t *buffers;
    struct sockaddr_storage *addresses;
    struct iovec *vectors;
    struct mmsghdr *messages;
};

mm_batch *mm_batch_new(int capacity, int slot_size) {
    mm_batch *batch = calloc(1, sizeof *batch);
    if (batch == NULL) return NULL;
    batch->capacity = capacity;
    batch->slot_size = slot_size;
    batch->buffers = aligned_alloc(64, (size_t)capacity * (size_t)slot_size);
    batch->addresses = calloc((size_t)capacity, sizeof *batch->addresses);
    batch->vectors = calloc((size_t)capacity, sizeof *batch->vectors);
    batch->messages = calloc((size_t)capacity, sizeof *batch->messages);
    if (!batch->buffers || !batch->addresses || !batch->vectors || !batch->messages) {
        mm_batch_free(batch);
        return NULL;
    }
    for (int i = 0; i < capacity; i++) {
        batch->vectors[i].iov_base = batch->buffers + (size_t)i * (size_t)slot_size;
        batch->messages[i].msg_hdr.msg_name = &batch->addresses[i];
        batch->messages[i].msg_hdr.msg_iov = &batch->vectors[i];
        batch->messages[i].msg_hdr.msg_iovlen = 1;
    }
    return batch;
}

void mm_batch_free(mm_batch *batch) {
    if (batch == NULL) return;
    free(batch->buffers);
    free(batch->addresses);
    free(batch->vectors);
    free(batch->messages);
    free(batch);
}

uint8_t *mm_batch_slot(mm_batch *batch, int index) {
    return batch->buffers + (size_t)index * (size_t)batch->slot_size;
}

struct sockaddr_storage *mm_batch_address(mm_batch *batch, int index) {
    return &batch->addresses[index];
}

int mm_batch_receive(mm_batch *batch, int fd) {
    for (int i = 0; i < batch->capacity; i++) {
        batch->vectors[i].iov_len = (size_t)batch->slot_size;
        batch->messages[i].msg_hdr.msg_namelen = sizeof batch->addresses[i];
        batch->messages[i].msg_hdr.msg_flags = 0;
        batch->messages[i].msg_len = 0;
    }
    int count;
    do {
        count = recvmmsg(fd, batch->messages, (unsigned)batch->capacity, MSG_DONTWAIT, NULL);
    } while (count < 0 && errno == EINTR);
    return count < 0 ? 0 : count;
}

int mm_batch_length(const mm_batch *batch, int index) {
    return (int)batch->messages[index].msg_len;
}

socklen_t mm_batch_address_length(const mm_batch *batch, int index) {
    return batch->messages[index].msg_hdr.msg_namelen;
}

int mm_batch_truncated(const mm_batch *batch, int index) {
    return (batch->messages[index].msg_hdr.msg_flags & MSG_TRUNC) != 0;
}

void mm_batch_set_outgoing(mm_batch *batch, int index, size_t length, socklen_t address_length) {
    batch->vectors[index].iov_len = length;
    batch->messages[index].msg_hdr.msg_namelen = address_length;
    batch->messages[index].msg_hdr.msg_flags = 0;
}

int mm_batch_send(mm_batch *batch, int fd, int start, int count) {
    int sent;
    do {
        sent = sendmmsg(fd, batch->messages + start, (unsigned)count, MSG_DONTWAIT);
    } while (sent < 0 && errno == EINTR);
    return sent;
}
