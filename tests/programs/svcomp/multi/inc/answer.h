// The header -I finds (tests/svcomp_test.ts builds these files as a C compiler driver would).
int answer(void);
