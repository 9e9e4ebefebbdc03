/*
 * A data race whose first access lies in a parallel job's prefix and whose second lies inside
 * the job: main starts two threads; the first writes `shared` at once (a step among the top
 * levels a parallel search keeps above its cut), the second takes and releases a mutex four
 * times (steps that put its read well below the cut) and then reads `shared`. Nothing orders
 * the write before the read (the mutex is the reader's alone): a data race, on the first
 * execution the search takes. Expected: data-race, the same message with --jobs as without.
 */
#include <pthread.h>

int shared;
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;

static void *writer(void *arg) {
  (void)arg;
  shared = 1;
  return NULL;
}

static void *reader(void *arg) {
  (void)arg;
  for (int i = 0; i < 4; i++) {
    pthread_mutex_lock(&m);
    pthread_mutex_unlock(&m);
  }
  int seen = shared;
  return (void *)(long)seen;
}

int main(void) {
  pthread_t a, b;
  pthread_create(&a, NULL, writer, NULL);
  pthread_create(&b, NULL, reader, NULL);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  return 0;
}
