// A failed assumption blocks its thread; the others run on. t1 reads x and assumes it is 1;
// t2 writes 1 to x. main joins both and reaches the error, which only the execution where t2's
// write comes before t1's read reaches (t1 is blocked for ever in the other one). The default
// schedule runs t1 first: if its failed assumption ended the execution, t2's write would never
// run in it, its race with t1's read would never be seen, and a partial-order reduction would
// never reverse it (the error missed: ok with 1 execution under odpor, issue 11).
// Expected: violation (reach_error), under every reduction.
// Without the error (ISOMC_NO_ERROR defined): ok; odpor 2 executions (t1's read before t2's
// write: cut; after it: complete), 1 cut by a failed assumption.
#include <pthread.h>
extern void __VERIFIER_assume(int);
extern void reach_error(void);

_Atomic int x; // atomic: no data race, the peers read it alike

void *t1(void *arg) {
  int a = x;
  __VERIFIER_assume(a == 1);
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
#ifndef ISOMC_NO_ERROR
  reach_error();
#endif
  return 0;
}
