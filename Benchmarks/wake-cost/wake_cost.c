// What a packet thread pays to sleep and wake, measured without mediamux: the kernel's scheduler is what the
// second packet thread adds at light load (docs/benchmarks.md, two packet threads against one).
//
// First the system calls of one wake-up, each alone, on an empty socket: epoll_wait with no timeout,
// recvmmsg that finds nothing. Then a receiver thread that sleeps in epoll_wait and reads what woke it with
// one recvmmsg, as a packet thread does, while a sender paces 200-byte datagrams at RATE a second; its own
// CPU time (CLOCK_THREAD_CPUTIME_ID) divided by its wake-ups is what one wake-up costs it.
// Prints one JSON object.
//
//   wake_cost RATE SECONDS
#define _GNU_SOURCE
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { batch = 32, slot = 256, calls = 1000000 };

struct receiver {
    int socket;
    atomic_int stop;
    long datagrams;
    long wakes;
    double cpu_seconds;
};

static double seconds(clockid_t clock) {
    struct timespec now;
    clock_gettime(clock, &now);
    return (double)now.tv_sec + (double)now.tv_nsec * 1e-9;
}

static int bound_socket(struct sockaddr_in *address) {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in local = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t length = sizeof local;
    if (fd < 0 || bind(fd, (struct sockaddr *)&local, sizeof local) != 0) exit(2);
    getsockname(fd, (struct sockaddr *)&local, &length);
    if (address != NULL) *address = local;
    return fd;
}

static int poller_of(int fd) {
    int poller = epoll_create1(0);
    struct epoll_event event = {.events = EPOLLIN, .data.fd = fd};
    if (poller < 0 || epoll_ctl(poller, EPOLL_CTL_ADD, fd, &event) != 0) exit(2);
    return poller;
}

// Receive slots as a packet thread has them, allocated once.
static struct mmsghdr *slots(void) {
    static char buffers[batch][slot];
    static struct iovec vectors[batch];
    static struct mmsghdr messages[batch];
    for (int i = 0; i < batch; i++) {
        vectors[i] = (struct iovec){.iov_base = buffers[i], .iov_len = slot};
        messages[i].msg_hdr = (struct msghdr){.msg_iov = &vectors[i], .msg_iovlen = 1};
    }
    return messages;
}

static void *receive(void *context) {
    struct receiver *receiver = context;
    int poller = poller_of(receiver->socket);
    struct mmsghdr *messages = slots();
    struct epoll_event ready[4];
    while (!atomic_load(&receiver->stop)) {
        if (epoll_wait(poller, ready, 4, 100) <= 0) continue;
        receiver->wakes++;
        int count = recvmmsg(receiver->socket, messages, batch, MSG_DONTWAIT, NULL);
        if (count > 0) receiver->datagrams += count;
    }
    receiver->cpu_seconds = seconds(CLOCK_THREAD_CPUTIME_ID);
    close(poller);
    return NULL;
}

// Nanoseconds per call of an epoll_wait that finds nothing and of a recvmmsg that finds nothing.
static void empty_calls(double *epoll_ns, double *recvmmsg_ns) {
    int fd = bound_socket(NULL);
    int poller = poller_of(fd);
    struct mmsghdr *messages = slots();
    struct epoll_event ready[4];
    double start = seconds(CLOCK_MONOTONIC);
    for (int i = 0; i < calls; i++) epoll_wait(poller, ready, 4, 0);
    *epoll_ns = (seconds(CLOCK_MONOTONIC) - start) / calls * 1e9;
    start = seconds(CLOCK_MONOTONIC);
    for (int i = 0; i < calls; i++) recvmmsg(fd, messages, batch, MSG_DONTWAIT, NULL);
    *recvmmsg_ns = (seconds(CLOCK_MONOTONIC) - start) / calls * 1e9;
    close(poller);
    close(fd);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: wake_cost RATE SECONDS\n");
        return 2;
    }
    double rate = atof(argv[1]), duration = atof(argv[2]);
    if (rate <= 0 || duration <= 0) return 2;
    double epoll_ns, recvmmsg_ns;
    empty_calls(&epoll_ns, &recvmmsg_ns);

    struct sockaddr_in address;
    struct receiver receiver = {.socket = bound_socket(&address)};
    int sender = socket(AF_INET, SOCK_DGRAM, 0);
    if (sender < 0 || connect(sender, (struct sockaddr *)&address, sizeof address) != 0) return 2;
    pthread_t thread;
    if (pthread_create(&thread, NULL, receive, &receiver) != 0) return 2;
    char datagram[200] = {0};
    double start = seconds(CLOCK_MONOTONIC), next = start;
    while (next < start + duration) {
        send(sender, datagram, sizeof datagram, 0);
        next += 1 / rate;
        struct timespec at = {.tv_sec = (time_t)next, .tv_nsec = (long)((next - (double)(time_t)next) * 1e9)};
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, NULL);
    }
    // The last datagrams are read before the receiver is told to stop.
    struct timespec drain = {.tv_nsec = 200 * 1000 * 1000};
    nanosleep(&drain, NULL);
    atomic_store(&receiver.stop, 1);
    pthread_join(thread, NULL);
    close(sender);
    close(receiver.socket);
    long wakes = receiver.wakes > 0 ? receiver.wakes : 1;
    long datagrams = receiver.datagrams > 0 ? receiver.datagrams : 1;
    printf("{\"rate\": %.0f, \"epoll_wait_empty_ns\": %.0f, \"recvmmsg_empty_ns\": %.0f, \"datagrams\": %ld, "
           "\"wakes\": %ld, \"datagrams_per_wake\": %.2f, \"us_per_wake\": %.2f, \"us_per_datagram\": %.2f}\n",
           rate, epoll_ns, recvmmsg_ns, receiver.datagrams, receiver.wakes, (double)datagrams / (double)wakes,
           receiver.cpu_seconds / (double)wakes * 1e6, receiver.cpu_seconds / (double)datagrams * 1e6);
    return 0;
}
