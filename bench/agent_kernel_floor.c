// Reference for bench/agent_throughput_bench.sh: the kernel's share of a closed-loop round trip
// on this machine, with no WebSocket and no per-message work at all. A plain TCP echo over
// loopback; the client keeps one 32-byte message in flight per connection (edge-triggered epoll,
// one recv + one send per round trip) and reports round trips per client CPU-second.
// With INTERVAL_US the client runs open loop at a fixed rate instead, as the agent's fixed-rate
// run does: each connection sends one message every INTERVAL_US, the connections' sends spread
// evenly over the interval, and the client sleeps until the next send to the nanosecond
// (epoll_pwait2), reading replies as they come. Like the agent (kMinTickGap in
// agent/src/wake_policy.hpp) it wakes for sends at most every 250 us, sending all that are due,
// so no send leaves more than 250 us late. Its cost is the floor of such a schedule.
// Usage: agent_kernel_floor server PORT
//        agent_kernel_floor client PORT CONNECTIONS SECONDS [INTERVAL_US]
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double tv_s(struct timeval t) { return (double)t.tv_sec + (double)t.tv_usec / 1e6; }

static int serve(int ep, struct sockaddr_in* addr) {
  int one = 1;
  int l = socket(AF_INET, SOCK_STREAM, 0);
  setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(l, (struct sockaddr*)addr, sizeof *addr) != 0 || listen(l, 1024) != 0) {
    perror("listen");
    return 1;
  }
  printf("listening on 127.0.0.1:%d\n", ntohs(addr->sin_port));
  fflush(stdout);
  struct epoll_event e = {.events = EPOLLIN, .data.fd = l};
  epoll_ctl(ep, EPOLL_CTL_ADD, l, &e);
  struct epoll_event evs[256];
  char buf[4096];
  for (;;) {
    int n = epoll_wait(ep, evs, 256, -1);
    for (int i = 0; i < n; i++) {
      int fd = evs[i].data.fd;
      if (fd == l) {
        int c = accept(l, NULL, NULL);
        setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        fcntl(c, F_SETFL, O_NONBLOCK);
        struct epoll_event ce = {.events = EPOLLIN, .data.fd = c};
        epoll_ctl(ep, EPOLL_CTL_ADD, c, &ce);
        continue;
      }
      ssize_t r = recv(fd, buf, sizeof buf, 0);
      if (r <= 0) {
        close(fd);
        continue;
      }
      send(fd, buf, (size_t)r, 0);
    }
  }
}

// Closed loop: the next message leaves on a connection as soon as its reply is read.
static long closed_loop(int ep, double secs, const char* msg, size_t len) {
  struct epoll_event evs[256];
  char buf[4096];
  double t0 = now_s();
  long trips = 0;
  while (now_s() - t0 < secs) {
    int n = epoll_wait(ep, evs, 256, 100);
    for (int i = 0; i < n; i++) {
      int fd = evs[i].data.fd;
      if (recv(fd, buf, sizeof buf, 0) > 0) {
        trips++;
        send(fd, msg, len, 0);
      }
    }
  }
  return trips;
}

// Fixed rate: send k is due at t0 + k * interval / connections on connection k mod connections;
// the client sleeps to the nanosecond until the next due send, but at least kMinTickGap after its
// last sending wake-up, reads whatever replies arrive, and sends all that are due.
static const double kMinTickGap = 250e-6;

static long fixed_rate(int ep, const int* fds, int conns, double secs, long interval_us,
                       const char* msg, size_t len) {
  struct epoll_event evs[256];
  char buf[4096];
  const double step = (double)interval_us / 1e6 / conns;
  double t0 = now_s();
  long trips = 0, k = 0;
  double last_tick = t0 - kMinTickGap;
  for (double now = t0; now - t0 < secs; now = now_s()) {
    double due = t0 + (double)k * step;
    if (due < last_tick + kMinTickGap) due = last_tick + kMinTickGap;
    double wait = due - now;
    if (wait < 0) wait = 0;
    struct timespec ts = {.tv_sec = (time_t)wait,
                          .tv_nsec = (long)((wait - (double)(time_t)wait) * 1e9)};
    int n = (int)syscall(SYS_epoll_pwait2, ep, evs, 256, &ts, NULL, 0);
    for (int i = 0; i < n; i++) {
      if (recv(evs[i].data.fd, buf, sizeof buf, 0) > 0) trips++;
    }
    now = now_s();
    if (now < due) continue;  // woken by replies only
    last_tick = now;
    for (; t0 + (double)k * step <= now; k++) send(fds[k % conns], msg, len, 0);
  }
  return trips;
}

int main(int argc, char** argv) {
  if (argc < 3) return 2;
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_port = htons((unsigned short)atoi(argv[2]));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int ep = epoll_create1(0);
  if (strcmp(argv[1], "server") == 0) return serve(ep, &addr);
  if (argc < 5) return 2;
  int conns = atoi(argv[3]);
  double secs = atof(argv[4]);
  long interval_us = argc > 5 ? atol(argv[5]) : 0;
  if (conns < 1 || conns > 10000) return 2;
  int* fds = calloc((size_t)conns, sizeof *fds);
  int one = 1;
  char msg[32];
  memset(msg, 'x', sizeof msg);
  for (int i = 0; i < conns; i++) {
    int c = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(c, (struct sockaddr*)&addr, sizeof addr) != 0) {
      perror("connect");
      return 1;
    }
    setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fcntl(c, F_SETFL, O_NONBLOCK);
    struct epoll_event ce = {.events = EPOLLIN | EPOLLET, .data.fd = c};
    epoll_ctl(ep, EPOLL_CTL_ADD, c, &ce);
    fds[i] = c;
    if (interval_us <= 0) send(c, msg, sizeof msg, 0);  // closed loop: one in flight each
  }
  struct rusage r0, r1;
  getrusage(RUSAGE_SELF, &r0);
  double t0 = now_s();
  long trips = interval_us > 0 ? fixed_rate(ep, fds, conns, secs, interval_us, msg, sizeof msg)
                               : closed_loop(ep, secs, msg, sizeof msg);
  getrusage(RUSAGE_SELF, &r1);
  double elapsed = now_s() - t0;
  double user = tv_s(r1.ru_utime) - tv_s(r0.ru_utime);
  double sys = tv_s(r1.ru_stime) - tv_s(r0.ru_stime);
  if (interval_us > 0)
    printf("agent_kernel_floor_fixed_rate: interval_us=%ld ", interval_us);
  else
    printf("agent_kernel_floor: ");
  printf(
      "connections=%d round_trips=%ld rate=%.0f/s client_user_s=%.2f "
      "client_sys_s=%.2f round_trips_per_cpu_s=%.0f sys_us_per_round_trip=%.2f\n",
      conns, trips, (double)trips / elapsed, user, sys, (double)trips / (user + sys),
      sys * 1e6 / (double)trips);
  return 0;
}
