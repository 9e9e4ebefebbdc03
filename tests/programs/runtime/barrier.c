/*
 * Barrier of 3: three actors each count themselves in (plain memory), wait at the barrier,
 * then check that everybody arrived. The actor whose arrival completes the barrier gets 1,
 * the others 0; main checks after isomc_run that exactly one actor got 1.
 *
 * isomc_barrier_wait is two transitions: arrive (always enabled) and leave (enabled once all
 * 3 arrived). Executions (reduction none): every leave comes after every arrival, so an
 * execution is an order of the 3 arrivals (3! = 6) followed by an order of the 3 leaves
 * (3! = 6): 36 executions (out of 6!/(2!2!2!) = 90 interleavings without the barrier).
 *
 * Mode "twice": two actors go through the same barrier of 2 twice (it is reusable). Arrivals
 * a1 b1 come first (2 orders). Then a2 a3 a4 / b2 b3 b4 (leave, arrive, leave) interleave
 * with both second arrivals before both second leaves: of the C(6,3) = 20 interleavings,
 * those with a4 before b3 (b2 placed anywhere among a2 a3 a4: 4) or b4 before a3 (4) are
 * impossible: 12. 2 x 12 = 24 executions; main checks that each generation had exactly one
 * serial actor (2 in total).
 */
#include <string.h>
#include "isomc.h"

static isomc_barrier_t b;
static int arrived;
static int serial;
static int twice;

static void party(void *arg) {
  (void)arg;
  int rounds = twice ? 2 : 1;
  int count = twice ? 2 : 3;
  for (int r = 1; r <= rounds; r++) {
    arrived++;
    if (isomc_barrier_wait(b)) serial++;
    isomc_assert_msg(arrived >= r * count, "an actor left the barrier before all arrived");
  }
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  twice = argc > 1 && strcmp(argv[1], "twice") == 0;
  b = isomc_barrier_create(twice ? 2 : 3);
  int n = twice ? 2 : 3;
  static const char *names[] = {"p1", "p2", "p3"};
  for (int i = 0; i < n; i++) isomc_actor_create(names[i], party, 0);
  isomc_run();
  isomc_assert_msg(serial == (twice ? 2 : 1), "one serial actor per generation");
  return 0;
}
