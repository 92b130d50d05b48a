#ifndef DIALOGUE_LIBFUZZER_H
#define DIALOGUE_LIBFUZZER_H
/* libFuzzer's entry points (compiler-rt's FuzzerInterface.h), declared here because the
 * toolchain ships no header for them. Only fuzz builds (-sanitize=fuzzer) link them. */
#include <stddef.h>
#include <stdint.h>

/* Runs libFuzzer with the command line given, calling callback for every input. */
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

/* The per-input entry point; FuzzSupport defines it. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
#endif
