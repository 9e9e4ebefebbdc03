// abort() on one of two paths: a crash (SIGABRT) by default; with --svcomp the path just ends.
// Expected: default: crash; --svcomp: ok, 2 executions, 1 of them cut.
#include <stdlib.h>
extern _Bool __VERIFIER_nondet_bool(void);

int main(void) {
  if (__VERIFIER_nondet_bool()) abort();
  return 0;
}
