// Preloaded into the tests by scripts/leak-check.sh; not part of Ferry.
//
// Why: libdispatch's dispatch_main() (which the swift-testing entry point reaches) calls
// sigsuspend() with a mask in read-only memory. valgrind 3.19 (Debian 12) rewrites the mask in
// place to keep its own signals unblocked, faults on the read-only page and aborts with
// "VALGRIND INTERNAL ERROR: Valgrind received a signal 11". Passing a writable copy of the same
// mask changes nothing for the program.
#define _GNU_SOURCE
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

int sigsuspend(const sigset_t *mask) {
    sigset_t copy = *mask;
    return (int)syscall(SYS_rt_sigsuspend, &copy, (size_t)(_NSIG / 8));
}
