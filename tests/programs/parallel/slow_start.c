/*
 * A program that connects to the checker and then waits 30 s before its first point (poll,
 * which the runtime does not model, before isomc_run): with a short --timeout a copy of it does
 * not reach its initial state. tests/alike_test.ts gives it as the third copy of a reference
 * start, whose error must then say so rather than call the copies different.
 */
#include <poll.h>
#include "isomc.h"

static void a(void *arg) {
  (void)arg;
  isomc_yield();
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  isomc_actor_create("a", a, 0);
  poll(0, 0, 30000);
  isomc_run();
  return 0;
}
