#ifndef CSHA256_H
#define CSHA256_H

#include <stddef.h>
#include <stdint.h>

/// SHA-256's 64 round constants, for the portable route in Swift too.
const uint32_t *csha256_round_constants(void);

/// 1 when this processor has the x86 SHA extensions (with SSSE3 and SSE4.1), else 0.
int csha256_has_hardware(void);

/// Runs SHA-256's compression function over `blocks` 64-byte blocks at `data`, updating
/// `state` (the eight working words, in order a…h), with the SHA extensions. Call it only when
/// `csha256_has_hardware()` says 1.
void csha256_compress_hardware(uint32_t state[8], const uint8_t *data, size_t blocks);

#endif
