/*
 * Peterson's mutual exclusion for two threads, with sequentially consistent atomics. Each
 * thread enters the critical section once; `inside` counts the threads in it. The await loop
 * (`while (flag[other] && turn == other)`) is cut where an iteration would repeat the last one.
 * Built with -DBUG, each thread gives the turn away before raising its flag, which breaks mutual
 * exclusion: both can be inside at once. Expected: ok; with -DBUG, the assertion fails.
 */
#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>

atomic_int flag[2];
atomic_int turn;
atomic_int inside;

static void *thread(void *arg) {
  int me = arg != NULL;
  int other = 1 - me;
#ifdef BUG
  atomic_store(&turn, other);
  atomic_store(&flag[me], 1);
#else
  atomic_store(&flag[me], 1);
  atomic_store(&turn, other);
#endif
  while (atomic_load(&flag[other]) == 1 && atomic_load(&turn) == other) {
  }
  atomic_fetch_add(&inside, 1);
  assert(atomic_load(&inside) == 1);
  atomic_fetch_sub(&inside, 1);
  atomic_store(&flag[me], 0);
  return NULL;
}

int main(void) {
  pthread_t a, b;
  pthread_create(&a, NULL, thread, NULL);
  pthread_create(&b, NULL, thread, &a);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  return 0;
}
