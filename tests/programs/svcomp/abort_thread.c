// assume_race.c with the task's own assume_abort_if_not: abort() on the infeasible path. With
// --svcomp abort() is a failed assumption (it blocks its thread, the others run on), and the
// error after t2's write is found; without it abort() is a crash.
// Expected: --svcomp: violation (reach_error); default: crash (SIGABRT).
#include <pthread.h>
#include <stdlib.h>
extern void reach_error(void);

void assume_abort_if_not(int cond) {
  if (!cond) abort();
}

_Atomic int x; // atomic: no data race, the peers read it alike

void *t1(void *arg) {
  int a = x;
  assume_abort_if_not(a == 1);
  return arg;
}

void *t2(void *arg) {
  x = 1;
  return arg;
}

int main(void) {
  pthread_t a, b;
  pthread_create(&a, 0, t1, 0);
  pthread_create(&b, 0, t2, 0);
  pthread_join(a, 0);
  pthread_join(b, 0);
  reach_error();
  return 0;
}
