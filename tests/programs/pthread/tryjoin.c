/*
 * pthread_tryjoin_np on a thread that may not have ended: 0 with its result once it has, EBUSY
 * before (main then joins it). Built with -DEXPECT=0 the program asserts the try joined it, with
 * -DEXPECT=16 (EBUSY) that it was busy: each assertion fails in the executions of the other
 * outcome, the proof that both are explored.
 */
#define _GNU_SOURCE
#include <assert.h>
#include <errno.h>
#include <pthread.h>

static void *work(void *arg) { return arg; }

int main(void) {
  pthread_t t;
  static int token;
  pthread_create(&t, NULL, work, &token);
  void *result = NULL;
  int r = pthread_tryjoin_np(t, &result);
  if (r == EBUSY) pthread_join(t, &result);
#ifdef EXPECT
  assert(r == EXPECT);
#endif
  assert((r == 0 || r == EBUSY) && result == &token);
  return 0;
}
