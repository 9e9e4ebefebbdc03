/*
 * CLI fixture: two actors that each yield twice. Expected verdict: ok; with --reduction=none,
 * exactly 4!/(2!2!) = 6 executions.
 */
#include "isomc.h"

static void twice(void *arg) {
  (void)arg;
  isomc_yield();
  isomc_yield();
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  isomc_actor_create("left", twice, 0);
  isomc_actor_create("right", twice, 0);
  isomc_run();
  return 0;
}
