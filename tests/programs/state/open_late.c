/*
 * Descriptors opened after the search has branched: an actor opens two files (the directory is
 * the argument) between visible steps, keeping their numbers in memory, while another actor
 * yields. The numbers the kernel gives are the lowest free: under --restore=fork each copy must
 * hold its checkpoint's descriptors at the same numbers (its control channel included), or the
 * same state would have other numbers in memory and in its fd table depending on the copies
 * behind it, and --visited would count more states than under memory (34 states, none pruned,
 * before the copy's channel took its checkpoint's number). tests/fork_visited_test.ts expects
 * memory's counts under fork: 12 states, 6 pruned.
 */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include "isomc.h"

static const char *dir;
static int fds[2] = {-1, -1};

static int open_in(const char *name) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  int fd = open(path, O_RDWR | O_CREAT, 0600);
  isomc_assert(fd >= 0);
  return fd;
}

static void opener(void *arg) {
  (void)arg;
  isomc_yield();
  fds[0] = open_in("one.txt");
  isomc_yield();
  fds[1] = open_in("two.txt");
  isomc_yield();
}

static void other(void *arg) {
  (void)arg;
  isomc_yield();
  isomc_yield();
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  isomc_assert(argc == 2);
  dir = argv[1];
  isomc_actor_create("opener", opener, NULL);
  isomc_actor_create("other", other, NULL);
  isomc_run();
  /* Every execution gets the same two numbers, the lowest free ones in a row. */
  isomc_assert_msg(fds[1] == fds[0] + 1, "the second file did not get the next number");
  return 0;
}
