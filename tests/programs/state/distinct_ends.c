/*
 * Every execution ends in a final state of its own: one actor stores a random value in 0..299
 * into x, so 300 executions end in 300 distinct states. tests/state_test.ts expects the memory
 * restore to look each end up, reuse none, and run main's end 300 times.
 */
#include "isomc.h"

static int64_t x;

static void pick(void *arg) {
  (void)arg;
  isomc_store(&x, isomc_random(0, 299));
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  isomc_actor_create("picker", pick, NULL);
  return isomc_run();
}
