/*
 * Semaphore: created at 0; actor "c" acquires it three times, actor "p" releases it three
 * times. An acquire is enabled only while the value is > 0.
 *
 * Executions (reduction none): the interleavings of p's releases r1 r2 r3 and c's acquires
 * a1 a2 a3 in which every prefix has at least as many releases as acquires: ballot sequences,
 * counted by the Catalan number C3 = 5 (out of C(6,3) = 20 interleavings).
 * Mode "short" (argv[1]): "p" releases only twice, so the third acquire can never be enabled:
 * a deadlock, found in the first execution (DFS tries c before p at each point, which only
 * changes the order: every execution ends in the same deadlock).
 */
#include <string.h>
#include "isomc.h"

static isomc_sem_t s;
static int releases = 3;
static int value;

static void consumer(void *arg) {
  (void)arg;
  for (int i = 0; i < 3; i++) {
    isomc_sem_acquire(s);
    value--;
    isomc_assert_msg(value >= 0, "an acquire went through at 0");
  }
}

static void producer(void *arg) {
  (void)arg;
  for (int i = 0; i < releases; i++) {
    isomc_sem_release(s);
    value++;
  }
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  if (argc > 1 && strcmp(argv[1], "short") == 0) releases = 2;
  s = isomc_sem_create(0);
  isomc_actor_create("c", consumer, 0);
  isomc_actor_create("p", producer, 0);
  isomc_run();
  return 0;
}
