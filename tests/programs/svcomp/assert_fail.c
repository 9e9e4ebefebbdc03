// assert() of <assert.h> in a pthread program: two threads add 1 and 2 under a mutex, main
// asserts the sum is 4 after joining them (it is 3). Expected: assertion violation
// "assert(sum == 4) failed at assert_fail.c:LINE (in main)", not a crash by SIGABRT.
#include <assert.h>
#include <pthread.h>

static int sum;
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;

static void *add(void *arg) {
  pthread_mutex_lock(&m);
  sum += (int)(long)arg;
  pthread_mutex_unlock(&m);
  return 0;
}

int main(void) {
  pthread_t a, b;
  pthread_create(&a, 0, add, (void *)1L);
  pthread_create(&b, 0, add, (void *)2L);
  pthread_join(a, 0);
  pthread_join(b, 0);
  assert(sum == 4);
  return 0;
}
