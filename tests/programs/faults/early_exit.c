/*
 * Fault fixture: actor "quitter" calls exit() while actor "worker" still has steps to take.
 * Expected: isomc check reports an exit violation (exit 1) naming worker as left unfinished.
 */
#include <stdlib.h>
#include "isomc.h"

static void quitter(void *arg) {
  (void)arg;
  isomc_yield();
  exit(0);
}

static void worker(void *arg) {
  (void)arg;
  isomc_yield();
  isomc_yield();
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  isomc_actor_create("quitter", quitter, 0);
  isomc_actor_create("worker", worker, 0);
  isomc_run();
  return 0;
}
