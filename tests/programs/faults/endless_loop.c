/*
 * Fault fixture: after one visible step, actor "spinner" loops forever between two visible
 * operations. Expected: isomc check --timeout=1 reports a timeout violation in spinner (exit 1)
 * and kills the program.
 */
#include "isomc.h"

static volatile int forever = 1;

static void spinner(void *arg) {
  (void)arg;
  isomc_yield();
  while (forever) {
  }
  isomc_yield();
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  isomc_actor_create("spinner", spinner, 0);
  isomc_run();
  return 0;
}
