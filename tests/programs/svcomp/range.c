// A wide nondet value comes from --nondet-range (default -2..2): the error needs x > 5.
// Expected: default range: incomplete (nondet-range), 5 executions, exit 3;
// --nondet-range=0..10: the violation (__VERIFIER_error) is found.
extern void __VERIFIER_error(void);
extern int __VERIFIER_nondet_int(void);

int main(void) {
  int x = __VERIFIER_nondet_int();
  if (x > 5) __VERIFIER_error();
  return 0;
}
