/*
 * sem_trywait against a post of its semaphore (at 0): main tries while the thread posts, so the
 * try gets it (0) or fails (-1, errno EAGAIN); sem_getvalue then reads what is left. Built with
 * -DEXPECT=0 the program asserts the try got it, with -DEXPECT=-1 that it failed: each
 * assertion fails in the executions of the other outcome, the proof that both are explored.
 */
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>

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
  int r = sem_trywait(&s);
  int e = errno;
  pthread_join(t, NULL);
  int v = -1;
  sem_getvalue(&s, &v);
#ifdef EXPECT
  assert(r == EXPECT);
#endif
  assert(r == 0 ? v == 0 : (r == -1 && e == EAGAIN && v == 1));
  return 0;
}
