/*
 * sem_timedwait on a semaphore at 0 that the thread posts: a try first, then, if it failed, a
 * choice between timing out (-1, errno ETIMEDOUT) and waiting for the post (0). Built with
 * -DEXPECT=0 the program asserts it got the semaphore, with -DEXPECT=-1 that it timed out: each
 * assertion fails in the executions of the other outcome.
 */
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <time.h>

static sem_t s;

static void *post(void *arg) {
  (void)arg;
  sem_post(&s);
  return NULL;
}

int main(void) {
  pthread_t t;
  sem_init(&s, 0, 0);
  pthread_create(&t, NULL, post, NULL);
  struct timespec deadline;
  clock_gettime(CLOCK_REALTIME, &deadline);
  deadline.tv_sec += 1;
  int r = sem_timedwait(&s, &deadline);
  int e = errno;
  pthread_join(t, NULL);
  int v = -1;
  sem_getvalue(&s, &v);
#ifdef EXPECT
  assert(r == EXPECT);
#endif
  assert(r == 0 ? v == 0 : (r == -1 && e == ETIMEDOUT && v == 1));
  return 0;
}
