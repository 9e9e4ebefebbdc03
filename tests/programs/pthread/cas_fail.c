// Compare-exchanges that fail are reads: t1 and t3 expect values x never holds, t2 reads x
// plainly. Every step on x reads it, so all orders are one trace (1 execution under odpor) and
// there is no data race: a failed compare-exchange is an atomic read, and two reads do not race.
// With -DEXPECT=0, t1's swaps (a write) and races with t2's plain read.
// Expected: ok; with -DEXPECT=0 a data race.
#include <pthread.h>
#include <stdatomic.h>

#ifndef EXPECT
#define EXPECT 5
#endif

static int x;
static int seen;

static void *swapper(void *arg) {
  int expected = (int)(long)arg;
  __atomic_compare_exchange_n(&x, &expected, 9, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
  return 0;
}

static void *reader(void *arg) {
  (void)arg;
  int r = x;
  return (void *)(long)r;
}

int main(void) {
  pthread_t a, b, c;
  pthread_create(&a, 0, swapper, (void *)(long)EXPECT);
  pthread_create(&b, 0, reader, 0);
  pthread_create(&c, 0, swapper, (void *)7L);
  pthread_join(a, 0);
  pthread_join(b, 0);
  pthread_join(c, 0);
  return seen;
}
