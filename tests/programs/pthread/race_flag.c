/*
 * A thread writes a plain variable; main reads it without waiting for the thread (the join
 * comes after the read). Nothing orders the two accesses: a data race on `shared`, between the
 * thread's write (line 12) and main's read (line 18). Expected: data-race.
 */
#include <pthread.h>

int shared;

static void *work(void *arg) {
  (void)arg;
  shared = 1;
  return NULL;
}

int main(void) {
  pthread_t t;
  pthread_create(&t, NULL, work, NULL);
  int seen = shared;
  pthread_join(t, NULL);
  return seen > 1;
}
