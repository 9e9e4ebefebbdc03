// A violation reachable only after a first thread's assumption failed: t1 raises a flag and
// fails its assumption (always: assume(0)); t2 finds the flag raised and reaches the error. As
// Nidhugg and GenMC have it, a failed assumption blocks its thread and the others run on, so t2
// runs past the point where t1 failed. If the failure ended the whole execution, t2 could
// never read the flag at 1 (t1 fails right after raising it): the error would be missed
// under every reduction.
// Expected: violation (reach_error), under every reduction.
#include <pthread.h>
extern void __VERIFIER_assume(int);
extern void reach_error(void);

_Atomic int flag;

void *t1(void *arg) {
  flag = 1;
  __VERIFIER_assume(0);
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
