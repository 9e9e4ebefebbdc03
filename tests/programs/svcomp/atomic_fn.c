// Two threads increment x with a read, a yield, then a write: a lost update unless the
// increment is atomic. As __VERIFIER_atomic_inc (SV-COMP's convention) it runs as one step,
// and the yield inside is no step: ok. Built with -DPLAIN, the same function is named
// plain_inc and the lost update is found (the test that the convention is what makes it ok).
#include <pthread.h>
#include <sched.h>
extern void reach_error(void);

static int x;

#ifdef PLAIN
#define INC plain_inc
#else
#define INC __VERIFIER_atomic_inc
#endif

void INC(void) {
  int t = x;
  sched_yield();
  x = t + 1;
}

static void *thread(void *arg) {
  (void)arg;
  INC();
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
