/*
 * Issue 8, item 3: one actor draws isomc_random(0, N - 1) (N = argv[1], default 100) and
 * stores it; another stores into another variable. Each value is one execution under every
 * reduction but none: N executions with odpor, and the cost of a value must not grow with N.
 * Expected verdict: ok.
 */
#include <stdlib.h>
#include "isomc.h"

static int64_t x, y;
static int n = 100;

static void draw(void *arg) {
  (void)arg;
  isomc_store(&x, isomc_random(0, n - 1));
}

static void other(void *arg) {
  (void)arg;
  isomc_store(&y, 1);
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  if (argc > 1) n = atoi(argv[1]);
  if (n < 1) n = 1;
  isomc_actor_create("draw", draw, 0);
  isomc_actor_create("other", other, 0);
  isomc_run();
  return 0;
}
