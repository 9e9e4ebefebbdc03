/*
 * CLI fixture: actor "picker" draws isomc_random(0, 2) and asserts the value is not 2.
 * Expected verdict: violation, assertion in picker, after one step "random(0, 2) = 2".
 */
#include <stdio.h>
#include "isomc.h"

static void picker(void *arg) {
  (void)arg;
  int v = isomc_random(0, 2);
  printf("picked %d\n", v);
  /* The checker kills the program after a violation: flush before asserting. */
  fflush(stdout);
  isomc_assert_msg(v != 2, "two is not allowed");
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  isomc_actor_create("picker", picker, 0);
  isomc_run();
  return 0;
}
