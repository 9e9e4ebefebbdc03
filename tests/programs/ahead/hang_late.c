/*
 * Run-ahead fixture: actor "a" yields five times, then sleeps for 30 s (a step that hangs);
 * actor "b" yields once. As in crash_late.c, the first execution follows the runtime's own
 * rule, so the hang comes in the middle of a batch whose reports the runtime holds back for
 * up to a millisecond: the timeout must still be reported at step 5, the step that hangs (the fifth
 * yield runs a on into the sleep), after the four before it (--timeout=1).
 * Expected verdict: a timeout of actor a in step 5 (any reduction, any restore).
 */
#include <time.h>
#include "isomc.h"

static void late(void *arg) {
  (void)arg;
  for (int i = 0; i < 5; i++) isomc_yield();
  struct timespec t = {30, 0};
  nanosleep(&t, NULL);
  isomc_yield();
}

static void once(void *arg) {
  (void)arg;
  isomc_yield();
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  isomc_actor_create("a", late, 0);
  isomc_actor_create("b", once, 0);
  isomc_run();
  return 0;
}
