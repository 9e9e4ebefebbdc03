/*
 * Two actors each print the same line between two yields, in whichever order the interleaving
 * gives. glibc allocates stdout's buffer at its first use; under the checker the runtime gives
 * it one at isomc_init instead, from main's arena, so the buffer is not in the arena of
 * whichever actor printed first (docs/state.md).
 *
 * Expected: ok, 9 distinct states: each actor before its first yield, between its yields (it
 * has printed: the printf belongs to the first yield's transition) or finished, 3 x 3. Both
 * printed the same bytes, so what stdout holds depends only on how many have printed.
 */
#include <stdio.h>
#include "isomc.h"

static void printer(void *arg) {
  (void)arg;
  isomc_yield();
  printf("tick\n");
  isomc_yield();
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  isomc_actor_create("a", printer, NULL);
  isomc_actor_create("b", printer, NULL);
  isomc_run();
  return 0;
}
