/*
 * main joins its thread, then ends with exit(0) rather than a return: every other thread has
 * ended, so that is the program's normal end. Expected: ok.
 */
#include <pthread.h>
#include <stdlib.h>

static void *work(void *arg) {
  (void)arg;
  sched_yield();
  return NULL;
}

int main(void) {
  pthread_t t;
  pthread_create(&t, NULL, work, NULL);
  pthread_join(t, NULL);
  exit(0);
}
