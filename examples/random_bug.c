/*
 * A bug reached for one random value only. A sensor measures a temperature between 0 and 40
 * degrees (isomc_random: the checker tries every value) and sends it to a logger, which counts
 * readings in a histogram of four bands of ten degrees: band = reading / 10. The top of the
 * range, exactly 40, gives band 4, one past the end of the histogram. The logger's bounds
 * check (isomc_assert) catches it; without it the write would silently corrupt whatever lies
 * after the histogram. Tests with a few random readings would almost never hit 40.
 *
 * Shows: exhaustive exploration of isomc_random's values.
 * Expected verdict: violation, assertion, when the sensor reads 40 (isomc check exits 1).
 */
#include <stdio.h>
#include "isomc.h"

#define MAX_TEMPERATURE 40
#define BAND_WIDTH 10
#define BANDS (MAX_TEMPERATURE / BAND_WIDTH) /* BUG: 40 needs a fifth band */

static int histogram[BANDS];
static isomc_mailbox_t readings;

static void sensor(void *arg) {
  (void)arg;
  int reading = isomc_random(0, MAX_TEMPERATURE);
  isomc_send(readings, &reading, sizeof reading);
}

static void logger(void *arg) {
  (void)arg;
  int reading;
  isomc_recv(readings, &reading, sizeof reading);
  int band = reading / BAND_WIDTH;
  isomc_assert_msg(band >= 0 && band < BANDS, "temperature band out of range");
  histogram[band]++;
  printf("reading %d counted in band %d\n", reading, band);
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  readings = isomc_mailbox("readings");
  isomc_actor_create("sensor", sensor, NULL);
  isomc_actor_create("logger", logger, NULL);
  isomc_run();
  return 0;
}
