/*
 * report.h: one name in new/ or cur/, from the name to the record.
 */
#ifndef WATCH_REPORT_H
#define WATCH_REPORT_H

#include "watch/watch.h"

/*
 * Handles the name found in sub ("new" or "cur", open at dfd): unless the
 * seen set knows it, opens it (never through a symbolic link: those are
 * skipped), reads it, and writes its record if the filters pass it.  An
 * event for a name gone from new/ looks for it in cur/, where a mail
 * reader may have moved it.  Returns ST_GO_ON, or an end.
 */
enum status report_name(struct watch *w, int dfd, const char *sub,
    const char *name, enum origin origin);

#endif
