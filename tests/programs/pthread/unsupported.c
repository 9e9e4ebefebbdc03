/*
 * A pthread function isomc does not model yet (cancelling a thread, a semaphore's try).
 * Expected: `isomc cc` refuses it with one line naming pthread_cancel (and sem_trywait),
 * exit 2, and leaves no binary.
 */
#include <pthread.h>
#include <semaphore.h>

static sem_t s;

static void *idle(void *arg) { return arg; }

int main(void) {
  pthread_t t;
  pthread_create(&t, 0, idle, 0);
  pthread_cancel(t);
  sem_init(&s, 0, 0);
  sem_trywait(&s);
  return 0;
}
