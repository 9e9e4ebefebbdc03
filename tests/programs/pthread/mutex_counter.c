/*
 * Two threads increment a shared counter under a pthread mutex; main joins them and checks the
 * sum. Expected: ok. Visible steps: each thread's lock, unlock and end (the end releases what a
 * join waits for), main's two joins. The only dependent pairs across threads are the lock
 * operations on `lock`, and each join with the end it waits for: under odpor 2 executions (who
 * takes the lock first); under none, every interleaving (tests/pthread_test.ts says the count).
 */
#include <assert.h>
#include <pthread.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int counter = 0;

static void *work(void *arg) {
  (void)arg;
  pthread_mutex_lock(&lock);
  counter++;
  pthread_mutex_unlock(&lock);
  return NULL;
}

int main(void) {
  pthread_t a, b;
  pthread_create(&a, NULL, work, NULL);
  pthread_create(&b, NULL, work, NULL);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  assert(counter == 2);
  return 0;
}
