#ifndef RCAS_CSYSTEM_SHIM_H
#define RCAS_CSYSTEM_SHIM_H
// System calls Swift's Glibc module does not offer: glibc's allocator
// tuning (malloc.h) and the atomic exchange of two file names.
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#if defined(__linux__)
#include <malloc.h>
#include <sys/syscall.h>
#endif

/// Exchanges the names `a` and `b` (both must exist) in one atomic step
/// (Linux renameat2 with RENAME_EXCHANGE); -1 with errno set where the
/// system or file system cannot (ENOSYS, EINVAL).
static inline int rcas_exchange_names(const char *a, const char *b) {
#if defined(__linux__) && defined(SYS_renameat2)
    return (int)syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, 2 /* RENAME_EXCHANGE */);
#else
    (void)a; (void)b;
    errno = ENOSYS;
    return -1;
#endif
}

#endif
