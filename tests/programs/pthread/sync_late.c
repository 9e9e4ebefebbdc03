/*
 * A race that one lock order shows and the other hides, under --memory=sync: thread-1 writes x
 * under the lock; thread-2 takes and lets go of the lock, then reads x. With thread-1's critical
 * section first, its write happens before thread-2's lock, hence before the read; with
 * thread-2's first, the read (after its unlock) and the write (after thread-1's lock) are not
 * ordered. Expected: data-race, found once a search has reversed the lock order.
 */
#include <pthread.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
int x;

static void *writer(void *arg) {
  (void)arg;
  pthread_mutex_lock(&m);
  x = 1;
  pthread_mutex_unlock(&m);
  return NULL;
}

static void *reader(void *arg) {
  pthread_mutex_lock(&m);
  pthread_mutex_unlock(&m);
  *(int *)arg = x;
  return NULL;
}

int main(void) {
  pthread_t a, b;
  static int seen;
  pthread_create(&a, NULL, writer, NULL);
  pthread_create(&b, NULL, reader, &seen);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  return seen > 1;
}
