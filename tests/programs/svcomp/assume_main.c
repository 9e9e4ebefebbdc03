// main itself fails an assumption while its thread runs on: main reads x, says what it read
// (seen = 1 for 0, 2 for 1) and assumes it read 1; the thread writes x = 1 and reaches the
// error if main read 0, i.e. only after main's assumption failed. A blocked main is an actor
// like the others: the thread runs on and the error is found.
// Expected: violation (reach_error), under every reduction.
#include <pthread.h>
extern void __VERIFIER_assume(int);
extern void reach_error(void);

_Atomic int x, seen;

void *t(void *arg) {
  x = 1;
  if (seen == 1) reach_error();
  return arg;
}

int main(void) {
  pthread_t a;
  pthread_create(&a, 0, t, 0);
  int v = x;
  seen = v + 1;
  __VERIFIER_assume(v == 1);
  pthread_join(a, 0);
  return 0;
}
