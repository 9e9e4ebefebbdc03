/*
 * Fault fixture: three actors each add to one shared counter twelve times. Every pair of
 * steps conflicts, so even with reduction there are 36!/(12!)^3 (about 3.4e15) executions to
 * explore: the search never ends in practice. The tests stop it with limits and signals and
 * check that the program dies with the checker.
 */
#include <stdint.h>
#include "isomc.h"

static int64_t counter;

static void adder(void *arg) {
  (void)arg;
  for (int i = 0; i < 12; i++) isomc_fetch_add(&counter, 1);
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  isomc_actor_create("a", adder, 0);
  isomc_actor_create("b", adder, 0);
  isomc_actor_create("c", adder, 0);
  isomc_run();
  return 0;
}
