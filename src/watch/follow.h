/*
 * follow.h: following a Maildir with inotify(7), from the watch on new/
 * to the end.
 */
#ifndef WATCH_FOLLOW_H
#define WATCH_FOLLOW_H

#include "watch/watch.h"

/*
 * Puts the watch on new/ (waiting for the Maildir to appear if need be),
 * reports what the start-up calls for, then each message as it lands,
 * again and again if new/ is removed and made anew.  Returns how it ended.
 */
enum status follow_maildir(struct watch *w);

#endif
