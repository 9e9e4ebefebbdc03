/*
 * An exit handler locks the mutex the threads used: it runs after every thread has ended,
 * outside any actor, where the mutex holds the runtime's record, not glibc's lock word.
 * Expected: ok (the C library's lock would read the record as held and wait forever).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int done = 0;

static void report(void) {
  pthread_mutex_lock(&lock);
  printf("done: %d\n", done);
  pthread_mutex_unlock(&lock);
}

static void *work(void *arg) {
  (void)arg;
  pthread_mutex_lock(&lock);
  done++;
  pthread_mutex_unlock(&lock);
  return NULL;
}

int main(void) {
  pthread_t t;
  atexit(report);
  pthread_create(&t, NULL, work, NULL);
  work(NULL);
  pthread_join(t, NULL);
  return 0;
}
