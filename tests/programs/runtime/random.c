/*
 * isomc_random explores every value of its inclusive range. One actor draws x in [-1, 1]
 * then y in [3, 4] and checks the ranges; the checker takes the values in increasing order.
 * Executions (reduction none): 3 x 2 = 6, verdict ok.
 * Mode "bug": the actor also fails an assertion for x == 1 and y == 4, the last pair in the
 * checker's order: found in the 6th execution.
 * Mode "single": random(7, 7) has one value: 1 execution.
 * Run on its own (default schedule), every draw returns its min: x = -1, y = 3.
 */
#include <stdio.h>
#include <string.h>
#include "isomc.h"

static const char *mode = "ok";

static void drawer(void *arg) {
  (void)arg;
  if (strcmp(mode, "single") == 0) {
    isomc_assert(isomc_random(7, 7) == 7);
    return;
  }
  int x = isomc_random(-1, 1);
  int y = isomc_random(3, 4);
  isomc_assert(x >= -1 && x <= 1);
  isomc_assert(y >= 3 && y <= 4);
  if (strcmp(mode, "bug") == 0) isomc_assert_msg(!(x == 1 && y == 4), "x == 1 and y == 4");
  printf("x=%d y=%d\n", x, y);
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  if (argc > 1) mode = argv[1];
  isomc_actor_create("d", drawer, 0);
  isomc_run();
  return 0;
}
