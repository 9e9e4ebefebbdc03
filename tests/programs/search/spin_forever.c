/*
 * Issue 8, item 2: an actor waits for a flag that nobody ever sets, yielding in a loop. No
 * execution ends and nothing can fail: the only state after the first step repeats forever.
 * Expected verdict: ok (no execution ends; the liveness problem is not a safety violation).
 */
#include "isomc.h"

static int64_t flag;

static void waiter(void *arg) {
  (void)arg;
  while (!isomc_load(&flag)) isomc_yield();
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  isomc_actor_create("waiter", waiter, 0);
  isomc_run();
  return 0;
}
