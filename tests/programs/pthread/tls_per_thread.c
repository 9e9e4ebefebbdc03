// __thread and _Thread_local variables are per thread: two workers each set their own `mine`
// and `other` under a mutex, and check them in a later critical section, after the other worker
// may have set its own. main checks its own values at the end. Were the variables shared (one
// OS thread runs every actor), a worker would read the other's value.
// Expected: ok; under odpor 6 executions, one per order of the four critical sections on m
// (C(4,2) = 6: each worker's two in program order).
#include <assert.h>
#include <pthread.h>

static __thread int mine;
static _Thread_local int other = 7;
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;

static void *worker(void *arg) {
  int me = (int)(long)arg;
  assert(mine == 0 && other == 7); // a new thread's initial values
  pthread_mutex_lock(&m);
  mine = me;
  other = 100 + me;
  pthread_mutex_unlock(&m);
  pthread_mutex_lock(&m);
  assert(mine == me);
  assert(other == 100 + me);
  pthread_mutex_unlock(&m);
  return 0;
}

int main(void) {
  mine = 99;
  pthread_t a, b;
  pthread_create(&a, 0, worker, (void *)1L);
  pthread_create(&b, 0, worker, (void *)2L);
  pthread_join(a, 0);
  pthread_join(b, 0);
  assert(mine == 99 && other == 7);
  return 0;
}
