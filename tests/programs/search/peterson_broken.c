/*
 * Issue 8, item 2: Peterson's lock with the two writes of the entry protocol swapped (turn is
 * written before the flag), so both actors can be in the critical section at once. Each actor
 * enters the critical section forever: no execution ends, but the states repeat.
 * Expected verdict: violation (assertion "mutual exclusion").
 */
#include "isomc.h"

static int64_t flag[2], turn, inside;

static void worker(void *arg) {
  int64_t me = (int64_t)(intptr_t)arg;
  int64_t other = 1 - me;
  for (;;) {
    isomc_store(&turn, other); /* wrong: must come after the flag */
    isomc_store(&flag[me], 1);
    while (isomc_load(&flag[other]) == 1 && isomc_load(&turn) == other) {
    }
    isomc_store(&inside, isomc_load(&inside) + 1);
    isomc_assert_msg(isomc_load(&inside) == 1, "mutual exclusion");
    isomc_store(&inside, isomc_load(&inside) - 1);
    isomc_store(&flag[me], 0);
  }
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  isomc_actor_create("p0", worker, (void *)0);
  isomc_actor_create("p1", worker, (void *)1);
  isomc_run();
  return 0;
}
