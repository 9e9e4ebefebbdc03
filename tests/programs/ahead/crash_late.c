/*
 * Run-ahead fixture: actor "a" yields five times, then writes through a null pointer; actor "b"
 * yields once. The first execution takes the lowest enabled actor at every point, which is the
 * runtime's own rule when it runs ahead: the crash comes in the middle of a batch, in step 5
 * (the fifth yield runs a on to the write), and must be reported there, after the four before.
 * Expected verdict: a crash of actor a in step 5 (any reduction, any restore).
 */
#include <stddef.h>
#include "isomc.h"

static volatile int *nowhere = NULL;

static void late(void *arg) {
  (void)arg;
  for (int i = 0; i < 5; i++) isomc_yield();
  *nowhere = 1;
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
