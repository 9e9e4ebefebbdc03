/*
 * errno is per thread: each thread sets it, yields (another thread may run and set its own),
 * then checks that it still reads its own value. Threads are actors on one OS thread, so this
 * fails (a crash by assert's abort) if errno were shared. Expected: ok.
 */
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>

static void *setter(void *arg) {
  int mine = (int)(long)arg;
  errno = mine;
  sched_yield();
  assert(errno == mine);
  return NULL;
}

int main(void) {
  pthread_t t1, t2;
  errno = 0;
  pthread_create(&t1, NULL, setter, (void *)11L);
  pthread_create(&t2, NULL, setter, (void *)22L);
  sched_yield();
  assert(errno == 0);
  pthread_join(t1, NULL);
  pthread_join(t2, NULL);
  return 0;
}
