/*
 * base64.h: strict base64 (RFC 4648 section 4) for SASL (RFC 4954 4),
 * where a decoder that forgives is a decoder that two parties read
 * differently.
 */
#ifndef BASE64_H
#define BASE64_H

#include <stddef.h>

/* The value of a character of the base64 alphabet, or -1: for decoders
 * with rules of their own (RFC 2047's encoded words). */
int base64_value(unsigned char c);

/* The octets a decode of len characters can give at most. */
#define BASE64_DECODED_MAX(len) ((len) / 4 * 3)

/* Decodes in[0, len) into out (room for cap octets): the length, or -1
 * when the text is not canonical base64: a length that is not a multiple
 * of four, a character outside the alphabet (white space included), '='
 * anywhere but at the end, or padding bits that are not zero. */
long base64_decode(const char *in, size_t len, unsigned char *out,
    size_t cap);

#endif
