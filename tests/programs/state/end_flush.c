/*
 * The rest of main runs in a forked copy, but the process that stays flushes every stdio stream
 * before it forks (FINISH): the FILE of a stream holding buffered bytes changes in the process
 * the search goes on with, after its final state was keyed. Three actors each put their letter
 * into a fully buffered stream (its buffer static) between two yields: 90 executions ending in 6
 * final states (the orders of the letters). A restore after an end that ran must put that FILE
 * back too, else the next executions end in states never seen (tests/cheap_ends_test.ts
 * expects exactly 6 ends run); one after a known end, where nothing ran since the final state
 * was keyed, need not ask the write tracker which pages were written.
 */
#include <stdio.h>
#include "isomc.h"

static FILE *out;
static char buffer[256];

static void put(void *arg) {
  // An actor runs to its first call at its creation: the letter goes in a step of its own.
  isomc_yield();
  fputc((int)(long)arg, out);
  isomc_yield();
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  out = fopen("/dev/null", "w");
  if (out == NULL || setvbuf(out, buffer, _IOFBF, sizeof buffer) != 0) return 2;
  isomc_actor_create("a", put, (void *)(long)'a');
  isomc_actor_create("b", put, (void *)(long)'b');
  isomc_actor_create("c", put, (void *)(long)'c');
  return isomc_run();
}
