// A spinlock made of a compare-exchange: each of two threads spins on CAS(lock, 0, 1), then
// increments a plain counter and releases the lock with an atomic store. A failing CAS only
// reads, so the spinning thread's failed tries are reads of lock, each a spin-loop iteration
// the runtime recognises (docs/pthreads.md, "Spin loops"). Expected: ok (no data race on
// count: the lock orders the increments), count == 2.
#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>

static atomic_int lock;
static int count;

static void *worker(void *arg) {
  (void)arg;
  int expected = 0;
  while (!atomic_compare_exchange_strong(&lock, &expected, 1)) expected = 0;
  count++;
  atomic_store(&lock, 0);
  return 0;
}

int main(void) {
  pthread_t a, b;
  pthread_create(&a, 0, worker, 0);
  pthread_create(&b, 0, worker, 0);
  pthread_join(a, 0);
  pthread_join(b, 0);
  assert(count == 2);
  return 0;
}
