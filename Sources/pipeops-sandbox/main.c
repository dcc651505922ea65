/*
 * pipeops-sandbox ROOT COMMAND [ARG...]
 *
 * Runs COMMAND in a private mount namespace where ROOT is bind-mounted at /opt/ml, so a
 * step sees its own sandbox at the path SageMaker containers use. It does what
 * `unshare --mount --propagation private sh -c 'mount --bind ROOT /opt/ml && exec ...'` does,
 * with one exec instead of four processes: the local engine's per-step overhead.
 * Exit status 127 with a message on stderr when the namespace cannot be set up.
 */
#define _GNU_SOURCE
#ifndef __linux__
#error "pipeops-sandbox needs Linux mount namespaces; pipeops supports Linux only"
#endif
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: pipeops-sandbox ROOT COMMAND [ARG...]\n");
        return 2;
    }
    if (unshare(CLONE_NEWNS) != 0) {
        fprintf(stderr, "pipeops-sandbox: unshare: %s\n", strerror(errno));
        return 127;
    }
    /* Keep our mounts out of the parent namespace. */
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
        fprintf(stderr, "pipeops-sandbox: making / private: %s\n", strerror(errno));
        return 127;
    }
    if (mount(argv[1], "/opt/ml", NULL, MS_BIND | MS_REC, NULL) != 0) {
        fprintf(stderr, "pipeops-sandbox: bind-mounting %s at /opt/ml: %s\n", argv[1], strerror(errno));
        return 127;
    }
    execvp(argv[2], argv + 2);
    fprintf(stderr, "pipeops-sandbox: %s: %s\n", argv[2], strerror(errno));
    return 127;
}
