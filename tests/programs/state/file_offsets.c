/*
 * File descriptors across restores: a reader reads a file two bytes at a time between visible
 * steps and checks each pair against its position; a writer appends to a second file and
 * checks the size it sees. Restoring memory alone would leave the kernel's file offsets where
 * the last execution left them; the agent must put them back.
 * Takes the directory for its two files as argument; tests/state_test.ts expects it to pass
 * (ok, 20 executions) under every --restore.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "isomc.h"

static int data_fd, log_fd;

static void reader(void *arg) {
  (void)arg;
  for (int i = 0; i < 3; i++) {
    isomc_yield();
    char pair[3] = {0};
    isomc_assert(read(data_fd, pair, 2) == 2);
    char want[3] = {(char)('a' + 2 * i), (char)('a' + 2 * i + 1), 0};
    isomc_assert_msg(strcmp(pair, want) == 0, "read the wrong bytes: the file offset was not restored");
  }
}

static void writer(void *arg) {
  (void)arg;
  for (int i = 0; i < 3; i++) {
    isomc_yield();
    isomc_assert(write(log_fd, "x", 1) == 1);
    struct stat st;
    isomc_assert(fstat(log_fd, &st) == 0);
    isomc_assert(lseek(log_fd, 0, SEEK_CUR) == i + 1);
  }
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  if (argc < 2) {
    fprintf(stderr, "usage: file_offsets DIR\n");
    return 2;
  }
  const char *where = argv[1];
  char path[4096];
  snprintf(path, sizeof path, "%s/data", where);
  int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
  isomc_assert(fd >= 0 && write(fd, "abcdefgh", 8) == 8 && lseek(fd, 0, SEEK_SET) == 0);
  data_fd = fd;
  snprintf(path, sizeof path, "%s/log", where);
  log_fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
  isomc_assert(log_fd >= 0);
  isomc_actor_create("reader", reader, NULL);
  isomc_actor_create("writer", writer, NULL);
  isomc_run();
  return 0;
}
