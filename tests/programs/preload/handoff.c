/* Semaphores, a condition variable and join in one plain pthread program: a producer hands
 * two items to a consumer through a one-slot buffer guarded by two semaphores, the consumer
 * reports its sum through a mutex and a condition variable that main waits on (in a predicate
 * loop), and main joins both and reads the consumer's result from pthread_join. Correct under
 * every interleaving: `isomc check --preload` says ok, with the counts `isomc cc` gives it. */
#include <assert.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>

static sem_t empty, full;
static int slot;
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t done_cond = PTHREAD_COND_INITIALIZER;
static int done;
static int sum;

static void *producer(void *arg) {
  (void)arg;
  for (int i = 1; i <= 2; i++) {
    sem_wait(&empty);
    slot = i;
    sem_post(&full);
  }
  return NULL;
}

static void *consumer(void *arg) {
  (void)arg;
  int total = 0;
  for (int i = 0; i < 2; i++) {
    sem_wait(&full);
    total += slot;
    sem_post(&empty);
  }
  pthread_mutex_lock(&m);
  sum = total;
  done = 1;
  pthread_cond_signal(&done_cond);
  pthread_mutex_unlock(&m);
  return (void *)(intptr_t)total;
}

int main(void) {
  sem_init(&empty, 0, 1);
  sem_init(&full, 0, 0);
  pthread_t p, c;
  pthread_create(&p, NULL, producer, NULL);
  pthread_create(&c, NULL, consumer, NULL);
  pthread_mutex_lock(&m);
  while (!done) pthread_cond_wait(&done_cond, &m);
  assert(sum == 3);
  pthread_mutex_unlock(&m);
  void *result;
  pthread_join(p, NULL);
  pthread_join(c, &result);
  assert((intptr_t)result == 3);
  return 0;
}
