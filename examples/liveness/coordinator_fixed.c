/*
 * coordinator_fixed.c: coordinator.c with its bug fixed: a request that comes while the
 * critical section is taken is queued, whoever sent it, and the next release hands the section
 * to the oldest request in the queue.
 *
 * Formula:          G(request_1 -> F cs_1)    (whenever client 1 asks, it eventually enters)
 * Expected verdict: ok with --fairness=weak. Without fairness it fails, with a lasso in which
 *                   client 1 has asked and could move but the scheduler never lets it: weak
 *                   fairness rules out exactly such cycles (an actor enabled in every state
 *                   of a cycle must move in it).
 *
 *   ./isomc cc -o coordinator_fixed examples/liveness/coordinator_fixed.c
 *   ./isomc check --ltl='G(request_1 -> F cs_1)' --fairness=weak -- ./coordinator_fixed
 */
#include "isomc.h"

enum { REQUEST, RELEASE, GRANT };

struct message {
  int kind;
  int client;
};

#define CLIENTS 2

static isomc_mailbox_t coordinator_box, client_box[CLIENTS + 1];
/* Propositions: client 1 has asked and not entered yet; client 1 is in its critical section. */
static int request_1, cs_1;

static void coordinator(void *arg) {
  (void)arg;
  int busy = 0, queue[CLIENTS], queued = 0;
  for (;;) {
    struct message m;
    isomc_recv(coordinator_box, &m, sizeof m);
    if (m.kind == REQUEST) {
      if (!busy) {
        busy = 1;
        struct message grant = {GRANT, m.client};
        isomc_send(client_box[m.client], &grant, sizeof grant);
      } else { /* the section is taken: wait in the queue */
        queue[queued++] = m.client;
      }
    } else if (queued > 0) {
      int next = queue[0];
      for (int i = 1; i < queued; i++) queue[i - 1] = queue[i];
      queue[--queued] = 0;
      struct message grant = {GRANT, next};
      isomc_send(client_box[next], &grant, sizeof grant);
    } else {
      busy = 0;
    }
  }
}

static void client(void *arg) {
  int me = (int)(intptr_t)arg;
  for (;;) {
    struct message m = {REQUEST, me};
    if (me == 1) request_1 = 1;
    isomc_send(coordinator_box, &m, sizeof m);
    isomc_recv(client_box[me], &m, sizeof m);
    isomc_assert(m.kind == GRANT && m.client == me);
    if (me == 1) request_1 = 0, cs_1 = 1;
    isomc_yield(); /* inside the critical section */
    if (me == 1) cs_1 = 0;
    m.kind = RELEASE;
    isomc_send(coordinator_box, &m, sizeof m);
  }
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  isomc_prop("request_1", &request_1);
  isomc_prop("cs_1", &cs_1);
  coordinator_box = isomc_mailbox("coordinator");
  client_box[1] = isomc_mailbox("client-1");
  client_box[2] = isomc_mailbox("client-2");
  isomc_actor_create("coordinator", coordinator, 0);
  isomc_actor_create("client-1", client, (void *)1);
  isomc_actor_create("client-2", client, (void *)2);
  isomc_run();
  return 0;
}
