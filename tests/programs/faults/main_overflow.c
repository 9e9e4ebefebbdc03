/*
 * Fault fixture: main recurses without end after isomc_run (actor "a" takes one step first),
 * so main's own stack overflows at its RLIMIT_STACK. Expected: a crash violation saying that
 * main overflowed its stack (of the size `ulimit -s` gives) and how to raise it, under every
 * --restore (under fork and memory the rest of main runs in a forked copy).
 */
#include "isomc.h"

static int recurse(int depth) {
  volatile char frame[256];
  frame[0] = (char)depth;
  return recurse(depth + 1) + frame[0];
}

static void a(void *arg) {
  (void)arg;
  isomc_yield();
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  isomc_actor_create("a", a, 0);
  isomc_run();
  return recurse(0);
}
