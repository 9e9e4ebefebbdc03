/*
 * isomc_svcomp.c — the mark `isomc cc` links into an SV-COMP task (docs/svcomp.md): a task
 * comes preprocessed, without isomc's <pthread.h> and its mark, yet needs the runtime to run
 * main as an actor (its nondet values are choices, its threads actors). lib/build/svcomp_inputs.ts
 * says when it is added.
 */
__attribute__((weak, used)) const char isomc_svcomp_program = 1;
