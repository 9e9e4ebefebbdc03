/*
 * main aborts after isomc_run, but only when a stored last, which the
 * search reaches in its second execution. Every restore strategy must see that crash, also
 * when the rest of main runs in a copy forked from a checkpoint (--restore=fork).
 * tests/state_test.ts expects a crash (SIGABRT) under every --restore.
 */
#include <stdlib.h>
#include "isomc.h"

static int64_t x;

static void a(void *arg) {
  (void)arg;
  isomc_store(&x, 1);
}

static void b(void *arg) {
  (void)arg;
  isomc_store(&x, 2);
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  isomc_actor_create("a", a, NULL);
  isomc_actor_create("b", b, NULL);
  isomc_run();
  if (x == 1) abort();
  return 0;
}
