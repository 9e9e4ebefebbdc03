// The same lost update between __VERIFIER_atomic_begin() and __VERIFIER_atomic_end(): one step,
// ok. With -DPLAIN the markers are left out and the lost update is found.
#include <pthread.h>
#include <sched.h>
extern void reach_error(void);
extern void __VERIFIER_atomic_begin(void);
extern void __VERIFIER_atomic_end(void);

static int x;

static void *thread(void *arg) {
  (void)arg;
#ifndef PLAIN
  __VERIFIER_atomic_begin();
#endif
  int t = x;
  sched_yield();
  x = t + 1;
#ifndef PLAIN
  __VERIFIER_atomic_end();
#endif
  return 0;
}

int main(void) {
  pthread_t a, b;
  pthread_create(&a, 0, thread, 0);
  pthread_create(&b, 0, thread, 0);
  pthread_join(a, 0);
  pthread_join(b, 0);
  if (x != 2) reach_error();
  return 0;
}
