/*
 * Run-ahead fixture: one actor whose six steps each take 0.3 s (a sleep before each yield). A
 * run-ahead serves them in one batch of about 1.8 s; --timeout bounds each step, not a batch,
 * so under --timeout=1 the check must still pass.
 * Expected verdict: ok, 1 execution, 6 transitions.
 */
#include <time.h>
#include "isomc.h"

static void slow(void *arg) {
  (void)arg;
  for (int i = 0; i < 6; i++) {
    struct timespec t = {0, 300 * 1000 * 1000};
    nanosleep(&t, NULL);
    isomc_yield();
  }
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  isomc_actor_create("slow", slow, 0);
  isomc_run();
  return 0;
}
