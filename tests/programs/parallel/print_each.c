/*
 * Every execution prints what it computed: two threads update `x` under a mutex, one doubling
 * it, one adding 3, and main prints the result after joining both ("x=5" when the doubling
 * went first, "x=8" otherwise) and which thread locked first. With --show-output each
 * execution's output is printed whole when the search leaves it, in the search's order: a
 * parallel check prints the same lines in the same order. Expected verdict: ok.
 */
#include <pthread.h>
#include <stdio.h>

static int x = 1;
static int first;
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;

static void *twice(void *arg) {
  (void)arg;
  pthread_mutex_lock(&m);
  x = x * 2;
  if (first == 0) first = 1;
  pthread_mutex_unlock(&m);
  return NULL;
}

static void *plus3(void *arg) {
  (void)arg;
  pthread_mutex_lock(&m);
  x = x + 3;
  if (first == 0) first = 2;
  pthread_mutex_unlock(&m);
  return NULL;
}

int main(void) {
  pthread_t a, b;
  pthread_create(&a, NULL, twice, NULL);
  pthread_create(&b, NULL, plus3, NULL);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  printf("x=%d first=%d\n", x, first);
  fprintf(stderr, "done %d\n", x);
  return 0;
}
