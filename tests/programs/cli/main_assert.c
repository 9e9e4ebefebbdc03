/*
 * CLI fixture: actor "adder" adds 1 to a counter; main asserts after isomc_run that the
 * counter is still 0. Expected verdict: violation, an assertion of the actor "main" (the JSON
 * says "actor": "main"), after the single step "fetch_add(counter, 1)".
 */
#include <stdint.h>
#include "isomc.h"

static int64_t counter;

static void adder(void *arg) {
  (void)arg;
  isomc_fetch_add(&counter, 1);
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  isomc_actor_create("adder", adder, 0);
  isomc_run();
  isomc_assert_msg(counter == 0, "the counter moved");
  return 0;
}
