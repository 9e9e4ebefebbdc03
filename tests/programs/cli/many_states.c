/*
 * CLI fixture: four actors each store 1..40 into a counter of their own. Every interleaving
 * is explored or its state recognised: 41^4 (about 2.8 million) distinct states, far more
 * than a test waits for. The signal and progress tests stop it.
 */
#include <stdint.h>
#include "isomc.h"

static int64_t counters[4];

static void counting(void *arg) {
  int64_t *mine = &counters[(intptr_t)arg];
  for (int64_t i = 1; i <= 40; i++) isomc_store(mine, i);
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  isomc_actor_create("a", counting, (void *)0);
  isomc_actor_create("b", counting, (void *)1);
  isomc_actor_create("c", counting, (void *)2);
  isomc_actor_create("d", counting, (void *)3);
  isomc_run();
  return 0;
}
