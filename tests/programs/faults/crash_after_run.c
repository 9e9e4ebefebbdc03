/*
 * Fault fixture: every actor finishes, then main dereferences NULL after isomc_run returns.
 * Expected: isomc check reports a crash violation (SIGSEGV, exit 1) on the first execution.
 */
#include <stddef.h>
#include "isomc.h"

static void stepper(void *arg) {
  (void)arg;
  isomc_yield();
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  isomc_actor_create("stepper", stepper, 0);
  isomc_run();
  volatile int *p = NULL;
  *p = 1;
  return 0;
}
