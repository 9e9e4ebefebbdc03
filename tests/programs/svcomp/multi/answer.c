// Compiled alone (-c), then archived (ar): the archive the link takes with -L. -lanswer.
#include "answer.h"
int answer(void) { return BASE + 2; }
