/*
 * version.h: the one version number, for both programs' --version.
 */
#ifndef VERSION_H
#define VERSION_H

#define SMTP_SINK_VERSION "0.2.0"

#endif
