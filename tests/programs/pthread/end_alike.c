// Two orders, one final memory: thread-1 writes x, thread-2 reads x (0 or 1, as the order
// goes) and then writes y. Both executions end with x == 1 and y == 1, so the rest of main
// runs once (the known end of that final state), as long as nothing else in memory keeps the
// order that led there (the runtime's own records of the reads: tests/pthread_memory_test.ts).
#include <pthread.h>

int x, y;

static void *writer(void *arg) {
  (void)arg;
  x = 1;
  return 0;
}

static void *reader(void *arg) {
  (void)arg;
  volatile int seen = x;
  (void)seen;
  y = 1;
  return 0;
}

int main(void) {
  pthread_t a, b;
  pthread_create(&a, 0, writer, 0);
  pthread_create(&b, 0, reader, 0);
  pthread_join(a, 0);
  pthread_join(b, 0);
  return 0;
}
