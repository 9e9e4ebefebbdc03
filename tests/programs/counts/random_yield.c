/*
 * Issue #2's second exact count: actor A draws isomc_random(0, 1) then yields, actor B yields.
 * B's step goes first, second or third among A's two (3 interleavings) and A's draw has 2
 * values: 3 x 2 = 6 executions, each 3 steps deep. A checks that the value is in range.
 * Expected verdict: ok, 6 executions with --reduction=none.
 */
#include "isomc.h"

static void a(void *arg) {
  (void)arg;
  int v = isomc_random(0, 1);
  isomc_assert(v == 0 || v == 1);
  isomc_yield();
}

static void b(void *arg) {
  (void)arg;
  isomc_yield();
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  isomc_actor_create("A", a, 0);
  isomc_actor_create("B", b, 0);
  isomc_run();
  return 0;
}
