/*
 * mutex_counter.c with a pthread spinlock: a spinlock is a mutex (docs/pthreads.md), so the
 * counts are the counter's: 15 interleavings under none, 2 traces under odpor. Expected: ok.
 */
#include <assert.h>
#include <pthread.h>

static pthread_spinlock_t lock;
static int counter = 0;

static void *work(void *arg) {
  (void)arg;
  pthread_spin_lock(&lock);
  int seen = counter;
  counter = seen + 1;
  pthread_spin_unlock(&lock);
  return NULL;
}

int main(void) {
  pthread_t a, b;
  pthread_spin_init(&lock, PTHREAD_PROCESS_PRIVATE);
  pthread_create(&a, NULL, work, NULL);
  pthread_create(&b, NULL, work, NULL);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  assert(counter == 2);
  assert(pthread_spin_trylock(&lock) == 0 && pthread_spin_trylock(&lock) != 0);
  pthread_spin_unlock(&lock);
  pthread_spin_destroy(&lock);
  return 0;
}
