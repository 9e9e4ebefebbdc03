/*
 * Benchmark input for the per-transition cost (bench/breakdown/): two actors that do nothing
 * but yield, STEPS times each (STEPS = argv[1], default 1000). A yield touches no shared
 * memory, so what one transition costs here is the checker's and the runtime's own work:
 * the round trip, the frame, the snapshot of a state that hardly changes, the search's loop.
 * Run with --reduction=none --no-visited and --max-executions: the first execution is
 * 2 * STEPS transitions deep, and the next ones go back near its bottom.
 */
#include <stdlib.h>
#include "isomc.h"

static int steps = 1000;

static void yielder(void *arg) {
  (void)arg;
  for (int i = 0; i < steps; i++) isomc_yield();
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  if (argc > 1) steps = atoi(argv[1]);
  isomc_actor_create("a", yielder, 0);
  isomc_actor_create("b", yielder, 0);
  isomc_run();
  return 0;
}
