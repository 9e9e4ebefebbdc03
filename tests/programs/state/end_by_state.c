/*
 * How main ends depends on the final state only: three actors each store their number into x
 * and yield, so every execution ends with x = the last one to store (3 distinct final states
 * over 90 executions), and main aborts after isomc_run when x is 1 — first reached well after
 * the final states x = 3 and x = 2, whose ends the memory restore has already remembered.
 * tests/state_test.ts expects a crash (SIGABRT) found after running main's end from exactly
 * 3 final states.
 */
#include <stdlib.h>
#include "isomc.h"

static int64_t x;

static void actor(void *arg) {
  isomc_store(&x, (int64_t)(long)arg);
  isomc_yield();
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  isomc_actor_create("a", actor, (void *)1L);
  isomc_actor_create("b", actor, (void *)2L);
  isomc_actor_create("c", actor, (void *)3L);
  isomc_run();
  if (x == 1) abort();
  return 0;
}
