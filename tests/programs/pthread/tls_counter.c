// Thread-local storage and errno are the thread's own: each of two threads (and main) counts
// in a __thread variable and gets EBADF from close(-1), then checks both. Accesses to them
// are no steps and no data races under --memory=all, as accesses to the thread's stack (with
// -DON_STACK the counter is a local: the same counts). The only steps are the threads' ends
// and main's joins. Expected: ok; under odpor 1 execution.
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <unistd.h>

#ifndef ON_STACK
static __thread int count;
#endif

static void *worker(void *arg) {
  (void)arg;
#ifdef ON_STACK
  volatile int count = 0;
#endif
  for (int i = 0; i < 3; i++) count++;
  errno = 0;
  assert(close(-1) == -1);
  assert(errno == EBADF);
  assert(count == 3);
  return 0;
}

int main(void) {
  pthread_t a, b;
  pthread_create(&a, 0, worker, 0);
  pthread_create(&b, 0, worker, 0);
  pthread_join(a, 0);
  pthread_join(b, 0);
  return 0;
}
