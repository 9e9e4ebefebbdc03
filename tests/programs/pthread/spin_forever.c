/*
 * A thread spins for ever: it waits for a flag that main, which joins it, never sets. Every
 * execution ends with main waiting at the join and the thread going round its await loop,
 * reading the same value with nothing left to change it: a livelock. Expected under
 * --non-progress: a non-progress cycle, the thread's iteration repeated for ever (not a
 * deadlock: the thread runs); a safety search cuts it at the loop (`spin_blocked`), ok.
 */
#include <pthread.h>
#include <stdatomic.h>

atomic_int flag;

static void *waiter(void *arg) {
  (void)arg;
  while (atomic_load(&flag) == 0) {
  }
  return NULL;
}

int main(void) {
  pthread_t t;
  pthread_create(&t, NULL, waiter, NULL);
  pthread_join(t, NULL);
  return 0;
}
