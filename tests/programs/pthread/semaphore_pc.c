/*
 * A producer and a consumer through a one-slot buffer guarded by two unnamed semaphores
 * (empty = 1, full = 0): the producer puts 1, 2, 3, the consumer takes three and checks the
 * order. Expected: ok.
 */
#include <assert.h>
#include <pthread.h>
#include <semaphore.h>

static sem_t empty, full;
static int slot;

static void *producer(void *arg) {
  (void)arg;
  for (int i = 1; i <= 3; i++) {
    sem_wait(&empty);
    slot = i;
    sem_post(&full);
  }
  return NULL;
}

static void *consumer(void *arg) {
  (void)arg;
  for (int i = 1; i <= 3; i++) {
    sem_wait(&full);
    assert(slot == i);
    sem_post(&empty);
  }
  return NULL;
}

int main(void) {
  pthread_t p, c;
  sem_init(&empty, 0, 1);
  sem_init(&full, 0, 0);
  pthread_create(&p, NULL, producer, NULL);
  pthread_create(&c, NULL, consumer, NULL);
  pthread_join(p, NULL);
  pthread_join(c, NULL);
  sem_destroy(&empty);
  sem_destroy(&full);
  return 0;
}
