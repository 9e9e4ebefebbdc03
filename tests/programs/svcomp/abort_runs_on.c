// assume_runs_on.c with abort() for the failed assumption: under --svcomp t1 raises a flag and
// aborts, which blocks it for ever; t2 runs on, finds the flag raised and reaches the error. Its
// counterexample passes t1 blocked by abort(): a replay must block it too (the trace records
// --svcomp), not crash.
// Expected: --svcomp: violation (reach_error), 1 execution; default: crash (SIGABRT).
#include <pthread.h>
#include <stdlib.h>
extern void reach_error(void);

_Atomic int flag;

void *t1(void *arg) {
  flag = 1;
  abort();
  return arg;
}

void *t2(void *arg) {
  if (flag) reach_error();
  return arg;
}

int main(void) {
  pthread_t a, b;
  pthread_create(&a, 0, t1, 0);
  pthread_create(&b, 0, t2, 0);
  pthread_join(a, 0);
  pthread_join(b, 0);
  return 0;
}
