/*
 * Mutex trylock: actor "t" tries the mutex once (and unlocks it when it got it); actor "h"
 * locks it, then unlocks it. "h" marks, in plain memory, the time it holds the mutex; "t"
 * checks that trylock failed exactly when "h" held the mutex.
 *
 * When it got the mutex, "t" also checks that a second trylock by the owner returns 0 (the
 * mutex is not recursive; trylock never blocks, so this is not a misuse).
 *
 * Executions (reduction none): t = T [T2 U if T returned 1], h = L U'.
 *   - T first: it returns 1; h's L is disabled until t's U, so T T2 U L U': 1 execution.
 *   - L first: T is enabled (trylock never blocks) and so is U'.
 *       L T U' (T returns 0, t is done): 1 execution;
 *       L U' T T2 U (T returns 1): 1 execution.
 * 3 executions, verdict ok.
 */
#include "isomc.h"

static isomc_mutex_t m;
static int h_holds;

static void trier(void *arg) {
  (void)arg;
  int got = isomc_mutex_trylock(m);
  isomc_assert_msg(got == !h_holds, "trylock must fail exactly while h holds the mutex");
  if (got) {
    isomc_assert_msg(isomc_mutex_trylock(m) == 0, "trylock by the owner returns 0");
    isomc_mutex_unlock(m);
  }
}

static void holder(void *arg) {
  (void)arg;
  isomc_mutex_lock(m);
  h_holds = 1;
  isomc_mutex_unlock(m);
  h_holds = 0;
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  m = isomc_mutex_create();
  isomc_actor_create("t", trier, 0);
  isomc_actor_create("h", holder, 0);
  isomc_run();
  return 0;
}
