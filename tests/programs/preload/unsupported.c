/* A pthread program calling pthread_kill, which isomc does not model yet: with no build step to
 * refuse it, `isomc check --preload` stops at the call with one line naming it (exit 2). A
 * constructor calls it first, outside any thread: there it is the C library's. */
#include <pthread.h>
#include <signal.h>

static int early;

__attribute__((constructor)) static void before_main(void) {
  /* Signal 0 only checks that the thread exists. */
  early = pthread_kill(pthread_self(), 0) == 0;
}

static void *worker(void *arg) {
  (void)arg;
  pthread_kill(pthread_self(), 0);
  return NULL;
}

int main(void) {
  pthread_t t;
  if (!early) return 1;
  pthread_create(&t, NULL, worker, NULL);
  pthread_join(t, NULL);
  return 0;
}
