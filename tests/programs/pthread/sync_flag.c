/*
 * Data published through an atomic flag, under --memory=sync: the thread writes `data` (a plain
 * access) and then sets the flag (an atomic store, a step that releases); main reads the flag
 * (an atomic load, a step that acquires) and reads `data` only when it saw it set. Under
 * sequential consistency the store and the load order the two accesses of `data`. Expected: ok.
 * With -DPLAIN_FLAG the flag is a plain int: nothing orders anything, a data race.
 */
#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>

int data;
#ifdef PLAIN_FLAG
int flag;
#define SET(f) ((f) = 1)
#define GET(f) (f)
#else
atomic_int flag;
#define SET(f) atomic_store(&(f), 1)
#define GET(f) atomic_load(&(f))
#endif

static void *work(void *arg) {
  (void)arg;
  data = 42;
  SET(flag);
  return NULL;
}

int main(void) {
  pthread_t t;
  pthread_create(&t, NULL, work, NULL);
  if (GET(flag)) assert(data == 42);
  pthread_join(t, NULL);
  return 0;
}
