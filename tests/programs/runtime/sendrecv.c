/*
 * Mailboxes, blocking send and receive: "s" sends "hello" (6 bytes) on mailbox "mb", "r"
 * receives it into a 16-byte buffer and checks the size and the bytes.
 *
 * isomc_send is isend + wait, isomc_recv is irecv + wait. Executions (reduction none):
 * s = I W, r = R V. Both waits are enabled only once the communication is matched, that is
 * after both I and R: the first two steps are I and R (2 orders), the last two W and V
 * (2 orders): 4 executions (out of C(4,2) = 6 interleavings).
 *
 * Mode "big": the message is 32 bytes, the buffer 16: the second of I and R to be posted
 * matches them and that is a misuse violation, found in the first execution (I then R).
 */
#include <string.h>
#include "isomc.h"

static isomc_mailbox_t mb;
static int big;

static void sender(void *arg) {
  (void)arg;
  char data[32] = "hello";
  isomc_send(mb, data, big ? sizeof data : strlen(data) + 1);
}

static void receiver(void *arg) {
  (void)arg;
  char buf[16];
  size_t n = isomc_recv(mb, buf, sizeof buf);
  isomc_assert(n == 6);
  isomc_assert(strcmp(buf, "hello") == 0);
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  big = argc > 1 && strcmp(argv[1], "big") == 0;
  mb = isomc_mailbox("mb");
  isomc_actor_create("s", sender, 0);
  isomc_actor_create("r", receiver, 0);
  isomc_run();
  return 0;
}
