// A compare-exchange that fails in one order and succeeds in the other: t1 swaps x from 0 to 1,
// t2 from 1 to 2. t2 before t1 fails (a read of 0), t2 after t1 swaps. Two traces, under odpor
// 2 executions (docs/independence.md, "A compare-exchange that fails").
// Expected: ok; x ends 1 or 2.
#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>

static atomic_int x;

static void *swap(void *arg) {
  int from = (int)(long)arg;
  atomic_compare_exchange_strong(&x, &from, from + 1);
  return 0;
}

int main(void) {
  pthread_t a, b;
  pthread_create(&a, 0, swap, (void *)0L);
  pthread_create(&b, 0, swap, (void *)1L);
  pthread_join(a, 0);
  pthread_join(b, 0);
  int v = atomic_load(&x);
  assert(v == 1 || v == 2);
  return 0;
}
