/*
 * Run on its own (no checker): the default schedule, argv handling, and how a violation ends
 * the process. argv[1] picks the mode (the runtime's --isomc-* options are taken out of argv
 * by isomc_init, whatever their position).
 *   "schedule": actors a, b, c each print, yield, print, yield, print; a also draws
 *     isomc_random(5, 9). Default schedule: the actors start in creation order before the
 *     first choice (printing a0 b0 c0), then round robin over the enabled actors starting
 *     after the one that moved last; every choice takes its first value (the min):
 *       a0 b0 c0 | a: yield -> a1 | b: yield -> b1 | c: yield -> c1 | a: random = 5 -> a2 |
 *       b: yield -> b2 | c: yield -> c2 | a: yield -> a3
 *     7 steps, then main prints its last line.
 *   "args": prints argc and each argument after isomc_init.
 *   "assert": actor "bad" fails an assertion after one yield.
 *   "deadlock": two actors each lock one mutex, yield, then lock the other one.
 */
#include <stdio.h>
#include <string.h>
#include "isomc.h"

static void stepper(void *arg) {
  const char *name = arg;
  printf("%s0\n", name);
  isomc_yield();
  printf("%s1\n", name);
  if (strcmp(name, "a") == 0) {
    printf("a2 random=%d\n", isomc_random(5, 9));
  } else {
    isomc_yield();
    printf("%s2\n", name);
  }
  if (strcmp(name, "a") == 0) {
    isomc_yield();
    printf("a3\n");
  }
}

static void bad(void *arg) {
  (void)arg;
  isomc_yield();
  isomc_assert(1 + 1 == 3);
}

static isomc_mutex_t m1, m2;

static void locker(void *arg) {
  int first = arg != NULL;
  isomc_mutex_lock(first ? m1 : m2);
  isomc_yield();
  isomc_mutex_lock(first ? m2 : m1);
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  const char *mode = argc > 1 ? argv[1] : "schedule";
  if (strcmp(mode, "args") == 0) {
    printf("argc=%d\n", argc);
    for (int i = 1; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);
    return argv[argc] == NULL ? 0 : 1;
  }
  if (strcmp(mode, "schedule") == 0) {
    isomc_actor_create("a", stepper, "a");
    isomc_actor_create("b", stepper, "b");
    isomc_actor_create("c", stepper, "c");
  } else if (strcmp(mode, "assert") == 0) {
    isomc_actor_create("bad", bad, 0);
  } else if (strcmp(mode, "deadlock") == 0) {
    m1 = isomc_mutex_create();
    m2 = isomc_mutex_create();
    isomc_actor_create("l1", locker, "1");
    isomc_actor_create("l2", locker, NULL);
  }
  isomc_run();
  printf("main: all actors finished\n");
  return 0;
}
