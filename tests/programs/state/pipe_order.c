/*
 * Two actors each write one byte into a pipe of the program, then yield: the two orders reach
 * points with the same memory but not the same pipe ("ab" or "ba"), and main fails when it
 * reads "ba". With --visited, a state key without the pipe's content would take the second
 * point for the first, prune it, and never see the failure. tests/state_test.ts expects the assertion under every
 * --restore, with and without --visited.
 */
#include <unistd.h>
#include "isomc.h"

static int fds[2];

static void writer(void *arg) {
  isomc_yield();
  isomc_assert(write(fds[1], arg, 1) == 1);
  isomc_yield(); /* a point after both writes, reached in either order */
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  isomc_assert(pipe(fds) == 0);
  isomc_actor_create("a", writer, "a");
  isomc_actor_create("b", writer, "b");
  isomc_run();
  char got[2];
  isomc_assert(read(fds[0], got, 2) == 2);
  isomc_assert_msg(got[0] == 'a', "b was written first");
  return 0;
}
