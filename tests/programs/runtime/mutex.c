/*
 * Mutex: two actors, each `yield; lock; yield; unlock`, incrementing a plain counter inside the
 * critical section in two halves (read before the inner yield, write after it).
 *
 * Executions (reduction none): each actor has 4 transitions a1..a4 / b1..b4 (yield, lock,
 * yield, unlock). Without the mutex there would be C(8,4) = 70 interleavings. The lock makes
 * the critical sections [a2,a4] and [b2,b4] disjoint: either a4 < b2 or b4 < a2. Count
 * a4 < b2: a1 a2 a3 a4 come first except that b1 may be placed anywhere before b2 (5 places
 * among a1..a4), then b2 b3 b4: 5 interleavings. Symmetrically 5 for b4 < a2: 10 executions.
 * Verdict ok: main checks after isomc_run that no increment was lost (counter == 2).
 */
#include "isomc.h"

static isomc_mutex_t m;
static int counter;

static void worker(void *arg) {
  (void)arg;
  isomc_yield();
  isomc_mutex_lock(m);
  int seen = counter;
  isomc_yield();
  counter = seen + 1;
  isomc_mutex_unlock(m);
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  m = isomc_mutex_create();
  isomc_actor_create("a", worker, 0);
  isomc_actor_create("b", worker, 0);
  isomc_run();
  isomc_assert(counter == 2);
  return 0;
}
