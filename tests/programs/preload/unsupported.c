/* A pthread program calling sem_trywait, which isomc does not model yet: with no build step to
 * refuse it, `isomc check --preload` stops at the call with one line naming it (exit 2). A
 * constructor calls it first, outside any thread: there it is the C library's. */
#include <pthread.h>
#include <semaphore.h>

static sem_t s;
static int early;

__attribute__((constructor)) static void before_main(void) {
  sem_init(&s, 0, 1);
  early = sem_trywait(&s) == 0;
  sem_post(&s);
}

static void *worker(void *arg) {
  (void)arg;
  if (sem_trywait(&s) == 0) sem_post(&s);
  return NULL;
}

int main(void) {
  pthread_t t;
  if (!early) return 1;
  pthread_create(&t, NULL, worker, NULL);
  pthread_join(t, NULL);
  return 0;
}
