/*
 * pthread_mutex_timedlock on a mutex main holds: a choice between getting it (once main lets it
 * go) and timing out. Built with -DEXPECT=0 the program asserts the lock was got, with
 * -DEXPECT=110 that it timed out (ETIMEDOUT): each assertion fails in the executions of the other
 * outcome, so each build finds a violation, the proof that both outcomes are explored.
 */
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <time.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static int result = -1;

static void *try_it(void *arg) {
  (void)arg;
  struct timespec deadline;
  clock_gettime(CLOCK_REALTIME, &deadline);
  deadline.tv_sec += 1;
  result = pthread_mutex_timedlock(&m, &deadline);
  if (result == 0) pthread_mutex_unlock(&m);
  return NULL;
}

int main(void) {
  pthread_t t;
  pthread_mutex_lock(&m);
  pthread_create(&t, NULL, try_it, NULL);
  pthread_mutex_unlock(&m);
  pthread_join(t, NULL);
#ifdef EXPECT
  assert(result == EXPECT);
#else
  assert(result == 0 || result == ETIMEDOUT);
#endif
  return 0;
}
