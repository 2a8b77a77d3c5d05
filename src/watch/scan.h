/*
 * scan.h: reading new/ and cur/: the --existing start-up, a new/ that
 * appeared, and the rescan after an inotify queue overflow.
 */
#ifndef WATCH_SCAN_H
#define WATCH_SCAN_H

#include <stddef.h>

#include "watch/watch.h"

enum pick {
	PICK_ALL,         /* every name */
	PICK_SINCE_EVENT, /* after an overflow: what the events missed */
};

/*
 * Reports the picked names of sub ("new" or "cur") in name order,
 * BATCH_MAX at a time.  A directory that does not exist is empty; one
 * that cannot be read, or is a symbolic link, is trouble.
 */
enum status scan_dir(struct watch *w, const char *sub, enum pick pick,
    enum origin origin);

/* Looks in the directory open at dfd for the name whose unique part is
 * key[0..klen), and copies it into out (capacity cap): true if found. */
bool scan_find(int dfd, const char *key, size_t klen, char *out,
    size_t cap);

#endif
