/*
 * Issue 8, item 2: an actor counts forever, storing 1, 2, 3... into c: its executions never end
 * and never repeat a state, so no search can end them; the checker must stop at its runaway
 * bound (100,000 steps) and say so, with its memory bounded. Another actor fails an assertion
 * after three steps, which every search finds first when the counter does not hide it.
 * Expected verdict: violation (assertion "reached" in A).
 */
#include "isomc.h"

static int64_t c;

static void count(void *arg) {
  (void)arg;
  for (int64_t i = 1;; i++) isomc_store(&c, i);
}

static void three(void *arg) {
  (void)arg;
  isomc_yield();
  isomc_yield();
  isomc_yield();
  isomc_assert_msg(0, "reached");
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  isomc_actor_create("counter", count, 0);
  if (argc < 2) isomc_actor_create("A", three, 0);
  isomc_run();
  return 0;
}
