#include "stop_signals.h"

#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Written once before the handler is installed (or, for the files to
   remove, while signals are held), read by the handler. */
static int speaks;
static long repeat_seconds = 2;
static char *status_file;
static char *messages[3];
static char *lock_file;
static char *early_folder;
static char **early_files;
static size_t early_count;

static atomic_int signalled;
static atomic_long first_second;
static atomic_int cycling;
static atomic_int held;
static atomic_int deferred;

static char *copy(const char *text) { return text ? strdup(text) : NULL; }

static void say(const char *message) {
    if (speaks && message) {
        ssize_t ignored = write(STDERR_FILENO, message, strlen(message));
        (void)ignored;
    }
}

/* "CODE\n" into the status file, digits made by hand. */
static void write_status(int code) {
    if (!status_file) return;
    int fd = open(status_file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return;
    char digits[4] = {(char)('0' + code / 100 % 10), (char)('0' + code / 10 % 10), (char)('0' + code % 10), '\n'};
    ssize_t ignored = write(fd, digits, sizeof digits);
    (void)ignored;
    close(fd);
}

static void end(int number, int removing_folder) {
    if (lock_file) unlink(lock_file);
    if (removing_folder && early_folder) rmdir(early_folder);
    write_status(128 + number);
    _exit(128 + number);
}

static void end_before_cycling(int number) {
    say(messages[0]);
    for (size_t i = 0; i < early_count; i++) unlink(early_files[i]);
    end(number, 1);
}

static void handle(int number) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    int none = 0;
    if (atomic_compare_exchange_strong(&signalled, &none, number)) {
        atomic_store(&first_second, (long)now.tv_sec);
        if (!atomic_load(&cycling)) {
            if (atomic_load(&held)) {
                atomic_store(&deferred, number);
                /* rcas_stop_release may have run meanwhile: whoever takes
                   the deferred number ends the process. */
                if (atomic_load(&held) || !atomic_exchange(&deferred, 0)) return;
            }
            end_before_cycling(number);
        }
        say(messages[1]);
    } else if ((long)now.tv_sec - atomic_load(&first_second) >= repeat_seconds) {
        say(messages[2]);
        end(number, 0);
    }
}

void rcas_stop_install(int speaking, const char *status, const char *before_cycle, const char *stop_requested,
                       const char *second_signal, long repeat) {
    speaks = speaking;
    status_file = copy(status);
    messages[0] = copy(before_cycle);
    messages[1] = copy(stop_requested);
    messages[2] = copy(second_signal);
    repeat_seconds = repeat;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = handle;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigset_t stops;
    sigemptyset(&stops);
    const int numbers[3] = {SIGUSR1, SIGTERM, SIGINT};
    for (int i = 0; i < 3; i++) {
        /* One stop signal at a time: the handler's steps do not interleave. */
        sigaddset(&action.sa_mask, numbers[i]);
        sigaddset(&stops, numbers[i]);
    }
    for (int i = 0; i < 3; i++) sigaction(numbers[i], &action, NULL);
    /* A launcher may start us with these signals blocked (the mask is
       inherited through exec): they must reach the handler. */
    pthread_sigmask(SIG_UNBLOCK, &stops, NULL);
}

void rcas_stop_prepare(const char *lock, const char *const *files, size_t count, const char *folder) {
    char **copies = count ? calloc(count, sizeof *copies) : NULL;
    size_t kept = 0;
    for (size_t i = 0; i < count && copies; i++) {
        if ((copies[kept] = copy(files[i]))) kept++;
    }
    early_files = copies;
    early_count = kept;
    early_folder = copy(folder);
    lock_file = copy(lock);
}

void rcas_stop_hold(void) { atomic_store(&held, 1); }

void rcas_stop_release(void) {
    atomic_store(&held, 0);
    int number = atomic_exchange(&deferred, 0);
    if (number) end_before_cycling(number);
}

void rcas_stop_start_cycling(void) { atomic_store(&cycling, 1); }

int rcas_stop_signalled(void) { return atomic_load(&signalled); }
