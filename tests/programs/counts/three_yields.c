/*
 * Issue #2's first exact count: 3 actors each calling isomc_yield() twice. Every interleaving of
 * the three sequences of two steps is one execution: 6!/(2!2!2!) = 90, each 6 steps deep.
 * Expected verdict: ok, 90 executions with --reduction=none.
 */
#include "isomc.h"

static void twice(void *arg) {
  (void)arg;
  isomc_yield();
  isomc_yield();
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  isomc_actor_create("a", twice, 0);
  isomc_actor_create("b", twice, 0);
  isomc_actor_create("c", twice, 0);
  isomc_run();
  return 0;
}
