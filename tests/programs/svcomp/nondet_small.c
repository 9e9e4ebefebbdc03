// Every value of a bool and of a char: 2 * 256 = 512 executions, none reaching the error.
// Expected: ok, 512 executions (--reduction=none and odpor alike: one actor).
extern void reach_error(void);
extern _Bool __VERIFIER_nondet_bool(void);
extern char __VERIFIER_nondet_char(void);

int main(void) {
  _Bool b = __VERIFIER_nondet_bool();
  char c = __VERIFIER_nondet_char();
  if (c < -128 || c > 127 || (b != 0 && b != 1)) reach_error();
  return 0;
}
