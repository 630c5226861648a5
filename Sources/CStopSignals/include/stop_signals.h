#ifndef RCAS_STOP_SIGNALS_H
#define RCAS_STOP_SIGNALS_H
/* rcas's stop-signal handler (SIGTERM, SIGINT, SIGUSR1), written in C so that
   it is async-signal-safe: a Swift handler can enter the Swift runtime
   (lazy globals, generic metadata, retain/release), whose locks the
   interrupted thread may hold, and then waits for ever. The policy it
   carries out is documented on the Swift side (rcas's StopRequest). */
#include <stddef.h>

/* Installs the handler for SIGTERM, SIGINT and SIGUSR1 and unblocks them.
   `speaks`: this process prints the messages (rank 0). `status_file`: where
   the exit code goes when the handler ends the process (NULL: nowhere).
   `before_cycle`, `stop_requested`, `second_signal`: the three messages.
   `repeat_seconds`: signals closer together than this count as one. */
void rcas_stop_install(int speaks, const char *status_file, const char *before_cycle,
                       const char *stop_requested, const char *second_signal, long repeat_seconds);

/* What a signal before cycling removes: the lock, `count` files, and
   `folder` (NULL: keep it). Call between rcas_stop_hold and rcas_stop_release. */
void rcas_stop_prepare(const char *lock_file, const char *const *files, size_t count, const char *folder);

/* From rcas_stop_hold to rcas_stop_release a signal only records itself;
   rcas_stop_release then ends the process if one came. */
void rcas_stop_hold(void);
void rcas_stop_release(void);

/* From now on the first signal asks for a stop at the end of the hour. */
void rcas_stop_start_cycling(void);

/* The first stop signal's number, 0 if none came. */
int rcas_stop_signalled(void);

#endif
