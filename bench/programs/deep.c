/*
 * Benchmark input: executions 200 transitions deep. Two actors each store STEPS times to a
 * variable of their own (STEPS = argv[1], default 100). Run with --reduction=none and
 * --max-executions: every execution after the first goes back to a point near the bottom
 * of a 200-step path, so restoring a deep state is what is measured.
 */
#include <stdlib.h>
#include "isomc.h"

static int64_t vars[2];
static int steps = 100;

static void writer(void *arg) {
  int64_t *v = arg;
  for (int i = 1; i <= steps; i++) isomc_store(v, i);
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  if (argc > 1) steps = atoi(argv[1]);
  isomc_actor_create("a", writer, &vars[0]);
  isomc_actor_create("b", writer, &vars[1]);
  isomc_run();
  return 0;
}
