/*
 * A read-write lock: readers in parallel, a writer alone. Two readers each hold the read lock
 * while waiting for the other to have taken it too (a semaphore each): were readers exclusive,
 * that would deadlock. A writer checks that nobody reads while it writes, with a yield in its
 * critical section, and each reader that no writer is inside. Expected: ok (tests/pthread_test.ts
 * gives the counts).
 */
#include <assert.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>

static pthread_rwlock_t lock = PTHREAD_RWLOCK_INITIALIZER;
static sem_t in[2];
static int readers_inside, writing;

static void *reader(void *arg) {
  int me = (int)(long)arg;
  pthread_rwlock_rdlock(&lock);
  assert(!writing);
  readers_inside++;
  sem_post(&in[me]);
  sem_wait(&in[1 - me]); // the other reader holds the lock too
  readers_inside--;
  pthread_rwlock_unlock(&lock);
  return NULL;
}

static void *writer(void *arg) {
  (void)arg;
  pthread_rwlock_wrlock(&lock);
  assert(readers_inside == 0);
  writing = 1;
  sched_yield();
  writing = 0;
  pthread_rwlock_unlock(&lock);
  return NULL;
}

int main(void) {
  pthread_t r0, r1, w;
  sem_init(&in[0], 0, 0);
  sem_init(&in[1], 0, 0);
  pthread_create(&r0, NULL, reader, (void *)0L);
  pthread_create(&r1, NULL, reader, (void *)1L);
  pthread_create(&w, NULL, writer, NULL);
  pthread_join(r0, NULL);
  pthread_join(r1, NULL);
  pthread_join(w, NULL);
  assert(pthread_rwlock_trywrlock(&lock) == 0 && pthread_rwlock_tryrdlock(&lock) != 0);
  pthread_rwlock_unlock(&lock);
  return 0;
}
