/*
 * The relay bench's physical floor: a bare UDP forwarder in C, placed (like the Node bare
 * forwarder) in front of a coturn. Per relayed packet it does the least a user-space relay can:
 * one recv and one send system call, one lookup in a small table, no allocation. Built by the
 * bench with Debian's cc into dist/ (ignored); never part of the product.
 *   c-forwarder <listenPort> <targetPort>   (127.0.0.1 only)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_CLIENTS 4096
#define FRONT UINT32_MAX

/* One client 5-tuple and the upstream socket connected to the target on its behalf. */
struct client {
  struct sockaddr_in addr;
  int fd;
};

static struct client clients[MAX_CLIENTS];
static uint32_t nclients;
static char buf[65536];

static struct sockaddr_in loopback(int port) {
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons((uint16_t)port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

static int udp_socket(void) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    perror("socket");
    exit(1);
  }
  return fd;
}

static void watch(int ep, int fd, uint32_t id) {
  struct epoll_event ev = {.events = EPOLLIN, .data.u32 = id};
  if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
    perror("epoll_ctl");
    exit(1);
  }
}

/* The client's slot, made (with its connected upstream socket) on its first datagram. */
static int upstream_of(int ep, const struct sockaddr_in *from, const struct sockaddr_in *target) {
  for (uint32_t i = 0; i < nclients; i++) {
    if (clients[i].addr.sin_port == from->sin_port && clients[i].addr.sin_addr.s_addr == from->sin_addr.s_addr) return clients[i].fd;
  }
  if (nclients == MAX_CLIENTS) return -1;
  int fd = udp_socket();
  if (connect(fd, (const struct sockaddr *)target, sizeof *target) < 0) {
    perror("connect");
    exit(1);
  }
  clients[nclients].addr = *from;
  clients[nclients].fd = fd;
  watch(ep, fd, nclients);
  nclients++;
  return fd;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: c-forwarder <listenPort> <targetPort>\n");
    return 64;
  }
  struct sockaddr_in here = loopback(atoi(argv[1]));
  struct sockaddr_in target = loopback(atoi(argv[2]));
  int front = udp_socket();
  if (bind(front, (const struct sockaddr *)&here, sizeof here) < 0) {
    perror("bind");
    return 1;
  }
  int ep = epoll_create1(0);
  if (ep < 0) {
    perror("epoll_create1");
    return 1;
  }
  watch(ep, front, FRONT);
  printf("READY {\"pid\":%d,\"port\":%d}\n", (int)getpid(), atoi(argv[1]));
  fflush(stdout);
  struct epoll_event events[64];
  for (;;) {
    int n = epoll_wait(ep, events, 64, -1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      perror("epoll_wait");
      return 1;
    }
    for (int i = 0; i < n; i++) {
      uint32_t id = events[i].data.u32;
      /* Drain the socket as libuv does, then go back to waiting. */
      for (;;) {
        if (id == FRONT) {
          struct sockaddr_in from;
          socklen_t fromlen = sizeof from;
          ssize_t len = recvfrom(front, buf, sizeof buf, 0, (struct sockaddr *)&from, &fromlen);
          if (len < 0) break;
          int up = upstream_of(ep, &from, &target);
          if (up >= 0) send(up, buf, (size_t)len, 0);
        } else {
          ssize_t len = recv(clients[id].fd, buf, sizeof buf, 0);
          if (len < 0) break;
          sendto(front, buf, (size_t)len, 0, (const struct sockaddr *)&clients[id].addr, sizeof clients[id].addr);
        }
      }
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ECONNREFUSED) {
        perror("recv");
        return 1;
      }
    }
  }
}
