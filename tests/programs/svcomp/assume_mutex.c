// A thread whose assumption fails while it holds a mutex another thread wants: the other is
// blocked at the lock, the first for ever at its assumption. As Nidhugg and GenMC have it, that
// execution is infeasible and cut (counted in assumes_failed), not a deadlock. t1 takes m, reads
// x, assumes it is 1 and unlocks; t2 writes x = 1 then takes m.
// Expected: ok; odpor 3 executions: t1's read before t2's write (t2 at the lock or not yet:
// t1 holds m for ever, cut), t2's write first and then t1 or t2 takes m first (2 complete);
// 1 of them cut by a failed assumption.
#include <pthread.h>
extern void __VERIFIER_assume(int);

pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
_Atomic int x; // atomic: no data race, the peers read it alike

void *t1(void *arg) {
  pthread_mutex_lock(&m);
  int a = x;
  __VERIFIER_assume(a == 1);
  pthread_mutex_unlock(&m);
  return arg;
}

void *t2(void *arg) {
  x = 1;
  pthread_mutex_lock(&m);
  pthread_mutex_unlock(&m);
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
