/*
 * The process outlives its DONE: an exit handler registered before isomc_init (so it runs
 * after the runtime's own, which sends DONE) never returns. Under `isomc check --timeout T`
 * this is a timeout violation ("every actor finished but the program did not exit"), in the
 * first execution.
 */
#include <stdlib.h>
#include <unistd.h>
#include "isomc.h"

static void hang(void) {
  for (;;) pause();
}

static void stepper(void *arg) {
  (void)arg;
  isomc_yield();
}

int main(int argc, char **argv) {
  atexit(hang);
  isomc_init(&argc, argv);
  isomc_actor_create("stepper", stepper, 0);
  isomc_run();
  return 0;
}
