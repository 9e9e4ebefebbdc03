/*
 * A thread writes a plain variable; main reads it after pthread_join. The join orders the write
 * before the read (happens-before through the thread's end): no data race. Expected: ok.
 */
#include <assert.h>
#include <pthread.h>

int result;

static void *work(void *arg) {
  (void)arg;
  result = 42;
  return NULL;
}

int main(void) {
  pthread_t t;
  pthread_create(&t, NULL, work, NULL);
  pthread_join(t, NULL);
  assert(result == 42);
  return 0;
}
