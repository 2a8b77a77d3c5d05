/*
 * io.h: the one write loop, for a buffer or a gather list.
 */
#ifndef IO_H
#define IO_H

#include <stddef.h>
#include <sys/uio.h>

/* Writes all n bytes, going on after EINTR and short writes: 0, or -1
 * with errno set (the bytes before the failure may have been written). */
int io_write_all(int fd, const char *p, size_t n);

/* The same for iovcnt pieces (at most IOV_MAX), in order; iov is used up
 * as it is written. */
int io_writev_all(int fd, struct iovec *iov, int iovcnt);

#endif
