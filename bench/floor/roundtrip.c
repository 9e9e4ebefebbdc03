/*
 * The floor of one checker step on this machine: a blocking round trip between two processes
 * over a stream socket pair (8 bytes each way), both pinned to one CPU, then on two CPUs.
 * Build and run: cc -O2 -o roundtrip roundtrip.c && ./roundtrip  (bench/run.ts does it).
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static void pin(int cpu) {
  cpu_set_t s;
  CPU_ZERO(&s);
  CPU_SET(cpu, &s);
  sched_setaffinity(0, sizeof s, &s);
}

static double measure(int parent_cpu, int child_cpu, int n) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) exit(1);
  pid_t pid = fork();
  char buf[8] = {0};
  if (pid == 0) {
    pin(child_cpu);
    for (int i = 0; i < n; i++) {
      if (read(sv[1], buf, 8) != 8 || write(sv[1], buf, 8) != 8) _exit(1);
    }
    _exit(0);
  }
  pin(parent_cpu);
  double t0 = now();
  for (int i = 0; i < n; i++) {
    if (write(sv[0], buf, 8) != 8 || read(sv[0], buf, 8) != 8) exit(1);
  }
  double t = (now() - t0) / n;
  waitpid(pid, NULL, 0);
  close(sv[0]);
  close(sv[1]);
  return t;
}

int main(void) {
  int n = 20000;
  printf("{\"same_cpu_us\": %.2f, \"two_cpus_us\": %.2f}\n", measure(0, 0, n), measure(0, 1, n));
  return 0;
}
