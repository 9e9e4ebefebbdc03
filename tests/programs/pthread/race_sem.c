/*
 * A thread writes a plain variable, then posts a semaphore; main waits on it, then reads the
 * variable. The semaphore orders the write before the read: no data race. Expected: ok.
 */
#include <assert.h>
#include <pthread.h>
#include <semaphore.h>

int data;
sem_t ready;

static void *work(void *arg) {
  (void)arg;
  data = 7;
  sem_post(&ready);
  return NULL;
}

int main(void) {
  pthread_t t;
  sem_init(&ready, 0, 0);
  pthread_create(&t, NULL, work, NULL);
  sem_wait(&ready);
  assert(data == 7);
  pthread_join(t, NULL);
  return 0;
}
