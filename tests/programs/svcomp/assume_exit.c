// A thread blocked for ever by a failed assumption when main returns without joining it.
// main's return is exit(), which cuts the threads still unfinished: the blocked one is one of
// them (docs/pthreads.md, "Ending"), an `exit` violation naming it; with --join-on-exit (and
// --svcomp) main's return waits for the threads, and the execution, left with the blocked
// thread only, is cut by its assumption: ok, never a deadlock nor a hang.
// Expected: exit violation; --join-on-exit: ok, 1 execution, 1 cut by a failed assumption.
#include <pthread.h>
extern void __VERIFIER_assume(int);

void *t(void *arg) {
  __VERIFIER_assume(0);
  return arg;
}

int main(void) {
  pthread_t a;
  pthread_create(&a, 0, t, 0);
  return 0;
}
