/*
 * io.h: the one write loop.
 */
#ifndef IO_H
#define IO_H

#include <stddef.h>

/* Writes all n bytes, going on after EINTR and short writes: 0, or -1
 * with errno set (the bytes before the failure may have been written). */
int io_write_all(int fd, const char *p, size_t n);

#endif
