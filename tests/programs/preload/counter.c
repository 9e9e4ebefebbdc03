/* A counter under a mutex in N threads (argv[1], default 2), each adding ITER times (argv[2],
 * default 1): a plain pthread program, built by gcc or clang for `isomc check --preload` and
 * by `isomc cc` for the same check with --memory=sync (tests/preload_test.ts compares their
 * counts). Each critical section is one lock and one unlock of the same mutex, so under optimal
 * DPOR the executions are the orders of the N*ITER critical sections: (N*ITER)!/(ITER!)^N. */
#include <assert.h>
#include <pthread.h>
#include <stdlib.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;
static int iterations = 1;

static void *add(void *arg) {
  (void)arg;
  for (int i = 0; i < iterations; i++) {
    pthread_mutex_lock(&lock);
    counter++;
    pthread_mutex_unlock(&lock);
  }
  return NULL;
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 2;
  if (argc > 2) iterations = atoi(argv[2]);
  pthread_t t[8];
  assert(n >= 1 && n <= 8);
  for (int i = 0; i < n; i++) pthread_create(&t[i], NULL, add, NULL);
  for (int i = 0; i < n; i++) pthread_join(t[i], NULL);
  assert(counter == (long)n * iterations);
  return 0;
}
