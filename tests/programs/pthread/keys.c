/*
 * Thread-specific data: one key, each thread sets its own value, yields, and reads its own back;
 * the key's destructor runs at each thread's end with that thread's value. Expected: ok; main
 * sees both destructors' marks after the joins, and its own value untouched.
 */
#include <assert.h>
#include <pthread.h>
#include <sched.h>

static pthread_key_t key;
static int destroyed[2];
static int mains = 7;

static void destroy(void *value) { *(int *)value += 1; }

static void *worker(void *arg) {
  assert(pthread_getspecific(key) == NULL);
  pthread_setspecific(key, arg);
  sched_yield();
  assert(pthread_getspecific(key) == arg);
  return NULL;
}

int main(void) {
  pthread_t a, b;
  pthread_key_create(&key, destroy);
  pthread_setspecific(key, &mains);
  pthread_create(&a, NULL, worker, &destroyed[0]);
  pthread_create(&b, NULL, worker, &destroyed[1]);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  assert(destroyed[0] == 1 && destroyed[1] == 1);
  assert(pthread_getspecific(key) == &mains && mains == 7);
  pthread_key_delete(key);
  return 0;
}
