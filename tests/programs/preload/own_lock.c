/* A program with its own pthread_mutex_lock (as a threads library linked in statically would
 * have): the executable's definition comes before any preloaded one, so `isomc check --preload`
 * could not intercept it, and refuses the binary in one line. */
#include <pthread.h>

static int calls;

int pthread_mutex_lock(pthread_mutex_t *m) {
  (void)m;
  calls++;
  return 0;
}

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;

static void *worker(void *arg) {
  pthread_mutex_lock(&m);
  return arg;
}

int main(void) {
  pthread_t t;
  pthread_create(&t, NULL, worker, NULL);
  pthread_join(t, NULL);
  return calls == 1 ? 0 : 1;
}
