/*
 * pthread_cond_timedwait without anyone to signal: a choice between waiting (which nobody ends:
 * the deadlock the test expects to find when the timeout is not taken) and timing out, which
 * returns ETIMEDOUT with the mutex held again. Expected: the timed-out execution is ok (its
 * assertion holds), the waiting one a deadlock, which the search reports: 2 executions.
 * The virtual clock (time, clock_gettime) moves forward between two readings.
 */
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <time.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;

int main(void) {
  struct timespec deadline;
  time_t before = time(NULL);
  clock_gettime(CLOCK_REALTIME, &deadline);
  assert(deadline.tv_sec >= before);
  pthread_mutex_lock(&m);
  int r = pthread_cond_timedwait(&c, &m, &deadline);
  assert(r == ETIMEDOUT);
  pthread_mutex_unlock(&m);
  return 0;
}
