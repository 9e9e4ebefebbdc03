/*
 * A pthread function isomc does not model yet (a read-write lock). Expected: `isomc cc`
 * refuses it with one line naming pthread_rwlock_rdlock, exit 2, and leaves no binary.
 */
#include <pthread.h>

static pthread_rwlock_t lock = PTHREAD_RWLOCK_INITIALIZER;

int main(void) {
  pthread_rwlock_rdlock(&lock);
  pthread_rwlock_unlock(&lock);
  return 0;
}
