// __VERIFIER_assume cuts the executions where its condition is false: of the 256 values of c,
// 246 are cut (c >= 10) and the 10 left never reach the error.
// Expected: ok, 256 executions, 246 cut by a failed assumption.
extern void __VERIFIER_error(void);
extern void __VERIFIER_assume(int);
extern unsigned char __VERIFIER_nondet_uchar(void);

int main(void) {
  unsigned char c = __VERIFIER_nondet_uchar();
  __VERIFIER_assume(c < 10);
  if (c >= 10) __VERIFIER_error();
  return 0;
}
