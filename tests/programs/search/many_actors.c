/*
 * Issue 8, item 4: N actors (argv[1], default 100) each doing store; yield; store on a counter
 * of its own. All steps of different actors are independent: one execution under partial-order
 * reduction, 3 N steps deep. The checker's memory must grow with depth plus actors, not with
 * their product.
 * Expected verdict: ok.
 */
#include <stdlib.h>
#include "isomc.h"

static int64_t counters[20000];

static void worker(void *arg) {
  int64_t *mine = (int64_t *)arg;
  isomc_store(mine, 1);
  isomc_yield();
  isomc_store(mine, 2);
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  int n = argc > 1 ? atoi(argv[1]) : 100;
  if (n < 1 || n > 20000) n = 100;
  for (int i = 0; i < n; i++) isomc_actor_create("worker", worker, &counters[i]);
  isomc_run();
  return 0;
}
