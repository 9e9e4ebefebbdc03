/*
 * Issue 8, item 2: an actor that never terminates must not starve the others. Actor C stores 1
 * then 0 into z forever; actor A yields three times, then fails an assertion. Every execution
 * in which C keeps running is infinite, but C's loop repeats the program's state every two
 * steps, so the search can tell it runs forever.
 * Expected verdict: violation (assertion "reached" in A, after 3 of A's steps).
 */
#include "isomc.h"

static int64_t z;

static void forever(void *arg) {
  (void)arg;
  for (;;) {
    isomc_store(&z, 1);
    isomc_store(&z, 0);
  }
}

static void three(void *arg) {
  (void)arg;
  isomc_yield();
  isomc_yield();
  isomc_yield();
  isomc_assert_msg(0, "reached");
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  isomc_actor_create("C", forever, 0);
  isomc_actor_create("A", three, 0);
  isomc_run();
  return 0;
}
