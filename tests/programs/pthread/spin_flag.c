/*
 * An await loop: a thread spins on an atomic flag that main sets after writing the data it
 * guards. Without recognising the loop, the search would never end (the spinning thread can
 * read 0 forever); with it, an iteration that would repeat the last one (same reads, same
 * values, nothing written) is cut as blocked. The data is published through the atomic flag:
 * no data race. Expected: ok.
 */
#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>

int data;
atomic_int flag;

static void *waiter(void *arg) {
  (void)arg;
  while (atomic_load(&flag) == 0) {
  }
  assert(data == 5);
  return NULL;
}

int main(void) {
  pthread_t t;
  pthread_create(&t, NULL, waiter, NULL);
  data = 5;
  atomic_store(&flag, 1);
  pthread_join(t, NULL);
  return 0;
}
