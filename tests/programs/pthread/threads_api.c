#define _GNU_SOURCE /* PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP */
/*
 * The thread functions besides create and join: pthread_self and pthread_equal, a result
 * through pthread_exit from a nested call, pthread_once running its routine once, a detached
 * thread (joining it is EINVAL), a recursive and an errorcheck mutex, trylock, usleep as a
 * yield. main returns while the detached thread may still run: with --join-on-exit it runs to
 * its end, and the program is ok; without, main's return cuts it (an `exit` violation naming
 * thread-3) where it has not ended (docs/pthreads.md).
 */
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <unistd.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int inits = 0;
static pthread_t first;
static pthread_mutex_t rec = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;

static void init(void) { inits++; }

static void leave(long v) { pthread_exit((void *)v); }

static void *worker(void *arg) {
  pthread_once(&once, init);
  assert(!pthread_equal(pthread_self(), first) || arg == (void *)1L);
  pthread_mutex_lock(&rec);
  pthread_mutex_lock(&rec); /* recursive: a second hold */
  pthread_mutex_unlock(&rec);
  pthread_mutex_unlock(&rec);
  usleep(10);
  leave((long)arg * 10);
  return NULL; /* not reached */
}

static void *loner(void *arg) {
  (void)arg;
  return NULL;
}

int main(void) {
  pthread_t second, detached;
  pthread_mutexattr_t attr;
  pthread_mutex_t check;
  void *r1, *r2;
  pthread_mutexattr_init(&attr);
  pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK);
  pthread_mutex_init(&check, &attr);
  assert(pthread_mutex_trylock(&check) == 0);
  assert(pthread_mutex_lock(&check) == EDEADLK);
  assert(pthread_mutex_unlock(&check) == 0);
  assert(pthread_mutex_unlock(&check) == EPERM);
  pthread_mutex_destroy(&check);
  pthread_create(&first, NULL, worker, (void *)1L);
  pthread_create(&second, NULL, worker, (void *)2L);
  assert(!pthread_equal(first, second));
  assert(pthread_equal(pthread_self(), pthread_self()));
  pthread_create(&detached, NULL, loner, NULL);
  pthread_detach(detached);
  assert(pthread_join(detached, NULL) == EINVAL);
  assert(pthread_join(pthread_self(), NULL) == EDEADLK);
  pthread_join(first, &r1);
  pthread_join(second, &r2);
  assert(r1 == (void *)10L && r2 == (void *)20L);
  assert(inits == 1);
  return 0;
}
