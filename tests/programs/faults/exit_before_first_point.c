/*
 * Fault fixture: actor "quitter" calls exit(3) before its first visible operation, so the
 * program ends between the handshake and its first scheduling point, with no choice made.
 * Expected: isomc check exits 2 saying the program exited with status 3 before its first
 * scheduling point.
 */
#include <stdlib.h>
#include "isomc.h"

static void quitter(void *arg) {
  (void)arg;
  exit(3);
}

static void worker(void *arg) {
  (void)arg;
  isomc_yield();
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  isomc_actor_create("quitter", quitter, 0);
  isomc_actor_create("worker", worker, 0);
  isomc_run();
  return 0;
}
