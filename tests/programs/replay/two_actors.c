/*
 * Replay fixture: actors "a" and "b" each take two steps (isomc_yield) and print after each,
 * so the program's output shows the order a replayed trace made them move. Main prints "end"
 * after isomc_run. The default schedule (no trace) gives a1 b1 a2 b2; a trace whose steps are
 * [2, 2, 1, 1] gives b1 b2 a1 a2.
 */
#include <stdio.h>
#include "isomc.h"

static void mover(void *arg) {
  const char *name = (const char *)arg;
  for (int i = 1; i <= 2; i++) {
    isomc_yield();
    printf("%s%d\n", name, i);
    fflush(stdout);
  }
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  isomc_actor_create("a", mover, "a");
  isomc_actor_create("b", mover, "b");
  isomc_run();
  printf("end\n");
  return 0;
}
