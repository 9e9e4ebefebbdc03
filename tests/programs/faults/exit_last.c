/*
 * Fault fixture: actor "B" calls exit(3) after its first step; actor "A" takes one step and
 * returns. With --reduction=none the first execution runs A to its end first, so when B exits
 * no other actor is left: the violation reads "actor B called exit(3); no other actor was
 * unfinished" (it read "the program exited with status 3 while B was running, leaving no actor
 * unfinished"). Replayed, the runtime says the same and the program exits with status 3.
 */
#include <stdlib.h>
#include "isomc.h"

static void a(void *arg) {
  (void)arg;
  isomc_yield();
}

static void b(void *arg) {
  (void)arg;
  isomc_yield();
  exit(3);
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  isomc_actor_create("A", a, 0);
  isomc_actor_create("B", b, 0);
  isomc_run();
  return 0;
}
