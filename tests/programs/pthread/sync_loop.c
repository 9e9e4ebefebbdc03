/*
 * Each of two threads increments a shared plain counter LOOPS times (10000 by default) in one
 * run between two steps, under --memory=sync: the runtime logs one event per thread (the same
 * bytes again and again, the read merged into the write: native/src/runtime/window.zig), not
 * 20000 per thread. Without a lock the two threads' windows race. Expected: data-race; with
 * -DLOCKED (the loop inside one critical section): ok, with the counts of mutex_counter.c.
 */
#include <assert.h>
#include <pthread.h>

#ifndef LOOPS
#define LOOPS 10000
#endif

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int counter;

static void *work(void *arg) {
  (void)arg;
#ifdef LOCKED
  pthread_mutex_lock(&lock);
#endif
  for (int i = 0; i < LOOPS; i++) counter++;
#ifdef LOCKED
  pthread_mutex_unlock(&lock);
#endif
  return NULL;
}

int main(void) {
  pthread_t a, b;
  pthread_create(&a, NULL, work, NULL);
  pthread_create(&b, NULL, work, NULL);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  assert(counter == 2 * LOOPS);
  return 0;
}
