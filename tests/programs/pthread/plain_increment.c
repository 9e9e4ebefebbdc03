/*
 * Two threads increment a plain shared counter (`x++`: a read, then a write) without a lock;
 * main joins them and checks the sum. Under --memory=all each access is a step, so a thread can
 * read x between the other's read and write and one increment is lost: `x == 2` fails. The two
 * increments are also a data race (neither access is atomic and nothing orders them), which
 * --races=report (the default) finds first.
 */
#include <assert.h>
#include <pthread.h>

int x;

static void *work(void *arg) {
  (void)arg;
  x++;
  return NULL;
}

int main(void) {
  pthread_t a, b;
  pthread_create(&a, NULL, work, NULL);
  pthread_create(&b, NULL, work, NULL);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  assert(x == 2);
  return 0;
}
