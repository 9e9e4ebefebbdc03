/* Three actors each count their own counter modulo N forever (N = argv[1], default 10), with a
 * store a step: N^3 states, every one reachable (the torus of the liveness benchmark, on a real
 * program). `G !wrapped_all` holds (no counter exceeds N - 1), so a liveness search explores the
 * whole product: N^3 program states; `G F all_zero` fails (one actor alone can loop). */
#include <stdlib.h>
#include "isomc.h"

static int64_t counters[3];
static int n = 10;
static int all_zero = 1, wrapped_all;

static void counter(void *arg) {
  int me = (int)(intptr_t)arg;
  for (;;) {
    int64_t next = (counters[me] + 1) % n;
    isomc_store(&counters[me], next);
    all_zero = counters[0] == 0 && counters[1] == 0 && counters[2] == 0;
    wrapped_all = counters[0] >= n || counters[1] >= n || counters[2] >= n;
  }
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  if (argc > 1) n = atoi(argv[1]);
  isomc_prop("all_zero", &all_zero);
  isomc_prop("wrapped_all", &wrapped_all);
  for (int i = 0; i < 3; i++) isomc_actor_create("counter", counter, (void *)(intptr_t)i);
  isomc_run();
  return 0;
}
