/*
 * A barrier of three: main and two threads each write their slot, wait at the barrier, then
 * read every slot. Exactly one of the three gets PTHREAD_BARRIER_SERIAL_THREAD. Expected: ok;
 * under odpor one execution per order of the three arrivals (3! = 6).
 */
#include <assert.h>
#include <pthread.h>

static pthread_barrier_t barrier;
static int slot[3];
static int serial = 0;

static void phase(int i) {
  slot[i] = 1;
  if (pthread_barrier_wait(&barrier) == PTHREAD_BARRIER_SERIAL_THREAD) serial++;
  assert(slot[0] + slot[1] + slot[2] == 3);
}

static void *worker(void *arg) {
  phase((int)(long)arg);
  return NULL;
}

int main(void) {
  pthread_t t1, t2;
  pthread_barrier_init(&barrier, NULL, 3);
  pthread_create(&t1, NULL, worker, (void *)1L);
  pthread_create(&t2, NULL, worker, (void *)2L);
  phase(0);
  pthread_join(t1, NULL);
  pthread_join(t2, NULL);
  assert(serial == 1);
  pthread_barrier_destroy(&barrier);
  return 0;
}
