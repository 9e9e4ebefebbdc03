// SV-COMP style (unreach-call): reach_error() is reachable for one value of an unsigned char.
// Expected: assertion violation "assert(0) failed at reach_uchar.c:6 (in reach_error)"; with
// --reduction=none the search meets it in the 201st execution (values 0..199 first).
extern void __assert_fail(const char *, const char *, unsigned int, const char *)
    __attribute__((__nothrow__, __leaf__)) __attribute__((__noreturn__));
void reach_error() { __assert_fail("0", "reach_uchar.c", 6, "reach_error"); }
extern unsigned char __VERIFIER_nondet_uchar(void);

int main(void) {
  unsigned char c = __VERIFIER_nondet_uchar();
  if (c == 200) reach_error();
  return 0;
}
