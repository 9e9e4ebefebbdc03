/*
 * main calls exit(0) while its thread waits on a semaphore nobody posts: the process ends
 * there, as in POSIX, cutting the thread. Expected: an `exit` violation naming thread-1 as
 * left unfinished.
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdlib.h>

static sem_t never;

static void *work(void *arg) {
  (void)arg;
  sem_wait(&never);
  return NULL;
}

int main(void) {
  pthread_t t;
  sem_init(&never, 0, 0);
  pthread_create(&t, NULL, work, NULL);
  sched_yield();
  exit(0);
}
