/*
 * An actor deletes, by its path, a file the program holds open (argv[1] the directory):
 *   closed  (default) it closes the file, then unlinks it: a state the search goes back to
 *           held the file open, and a memory restore would have to reopen a path that is gone;
 *   open    it unlinks the file and keeps it open: the descriptor then names a deleted file.
 * --restore=memory must refuse both with one line naming the path and the strategies that
 * work (fork: a checkpoint still holds the file; replay), exit 2; those find no violation.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "isomc.h"

static char path[4096];
static int fd = -1;
static int keep_open;

static void deleter(void *arg) {
  (void)arg;
  isomc_yield();
  if (!keep_open) close(fd);
  unlink(path);
  isomc_yield();
}

static void other(void *arg) {
  (void)arg;
  isomc_yield();
  isomc_yield();
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  snprintf(path, sizeof path, "%s/deleted.txt", argc > 1 ? argv[1] : "/tmp");
  keep_open = argc > 2 && strcmp(argv[2], "open") == 0;
  fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
  isomc_assert_msg(fd >= 0, "cannot create the file");
  isomc_actor_create("deleter", deleter, NULL);
  isomc_actor_create("other", other, NULL);
  isomc_run();
  return 0;
}
