// Reference for bench/agent_throughput_bench.sh: the kernel's share of a closed-loop round trip
// on this machine, with no WebSocket and no per-message work at all. A plain TCP echo over
// loopback; the client keeps one 32-byte message in flight per connection (edge-triggered epoll,
// one recv + one send per round trip) and reports round trips per client CPU-second.
// Usage: agent_kernel_floor server PORT
//        agent_kernel_floor client PORT CONNECTIONS SECONDS
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
    send(c, msg, sizeof msg, 0);
  }
  struct rusage r0, r1;
  struct epoll_event evs[256];
  char buf[4096];
  getrusage(RUSAGE_SELF, &r0);
  double t0 = now_s();
  long trips = 0;
  while (now_s() - t0 < secs) {
    int n = epoll_wait(ep, evs, 256, 100);
    for (int i = 0; i < n; i++) {
      int fd = evs[i].data.fd;
      if (recv(fd, buf, sizeof buf, 0) > 0) {
        trips++;
        send(fd, msg, sizeof msg, 0);
      }
    }
  }
  getrusage(RUSAGE_SELF, &r1);
  double user = tv_s(r1.ru_utime) - tv_s(r0.ru_utime);
  double sys = tv_s(r1.ru_stime) - tv_s(r0.ru_stime);
  printf("agent_kernel_floor: connections=%d round_trips=%ld rate=%.0f/s client_user_s=%.2f "
         "client_sys_s=%.2f round_trips_per_cpu_s=%.0f sys_us_per_round_trip=%.2f\n",
         conns, trips, (double)trips / secs, user, sys, (double)trips / (user + sys),
         sys * 1e6 / (double)trips);
  return 0;
}
