/*
 * pthread_timedjoin_np on a thread that may not have ended: joined at once, or a choice between
 * timing out (ETIMEDOUT; main then joins it) and waiting for its end. Built with -DEXPECT=0 the
 * program asserts it was joined, with -DEXPECT=110 (ETIMEDOUT) that it timed out: each
 * assertion fails in the executions of the other outcome.
 */
#define _GNU_SOURCE
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <time.h>

static void *work(void *arg) { return arg; }

int main(void) {
  pthread_t t;
  static int token;
  pthread_create(&t, NULL, work, &token);
  struct timespec deadline;
  clock_gettime(CLOCK_REALTIME, &deadline);
  deadline.tv_sec += 1;
  void *result = NULL;
  int r = pthread_timedjoin_np(t, &result, &deadline);
  if (r == ETIMEDOUT) pthread_join(t, &result);
#ifdef EXPECT
  assert(r == EXPECT);
#endif
  assert((r == 0 || r == ETIMEDOUT) && result == &token);
  return 0;
}
