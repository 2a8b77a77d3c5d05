/*
 * json.h: JSON string escaping (RFC 8259).  Pure: no I/O, no allocation.
 */
#ifndef WATCH_JSON_H
#define WATCH_JSON_H

#include <stddef.h>

#include "watch/out.h"

/*
 * Writes s as the contents of a JSON string (without the quotes): '"' and
 * '\\' escaped, every utf8_is_control() character written as \uXXXX (or
 * \b \f \n \r \t), other valid UTF-8 copied, and every byte that is not
 * part of a well-formed UTF-8 sequence written as \ufffd, so the result is
 * valid JSON, and JavaScript, whatever s holds.
 */
void json_escape(const char *s, size_t len, emit_fn emit, void *ctx);

#endif
