/*
 * pipeops-sandbox [--no-mount] ROOT COMMAND [ARG...]
 *
 * Runs one step of the local engine and makes sure it dies with pipeops.
 *
 * Without --no-mount it first enters a private mount namespace where ROOT is bind-mounted at
 * /opt/ml, so the step sees its own sandbox where SageMaker containers keep it (one exec instead
 * of unshare + sh + mount). Then it supervises COMMAND:
 *   - COMMAND runs in a process group of its own, with every signal at its default disposition
 *     and none blocked, whatever pipeops had ignored or blocked;
 *   - when pipeops dies, even by SIGKILL, the kernel tells this helper (PR_SET_PDEATHSIG), and
 *     the helper stops the whole group: SIGTERM, then SIGKILL after PIPEOPS_GRACE seconds (2);
 *   - SIGTERM, SIGINT or SIGHUP sent to the helper (Ctrl-C, MaxRuntimeInSeconds) do the same;
 *   - when COMMAND's own process ends, whatever it left running in its group is killed, as a
 *     SageMaker job's container ends with its main process.
 * The helper exits as COMMAND did (its status, or the same signal). Exit status 127 with a
 * message on stderr when the namespace or the process cannot be set up.
 */
#define _GNU_SOURCE
#ifndef __linux__
#error "pipeops-sandbox needs Linux mount namespaces; pipeops supports Linux only"
#endif
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t stop_requested = 0;
static volatile sig_atomic_t grace_over = 0;

static void on_stop(int sig) { (void)sig; stop_requested = 1; }
static void on_alarm(int sig) { (void)sig; grace_over = 1; }

static void default_signals(void) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        signal(sig, SIG_DFL);
    }
}

int main(int argc, char **argv) {
    int mount_sandbox = 1;
    int first = 1;
    if (argc > 1 && strcmp(argv[1], "--no-mount") == 0) {
        mount_sandbox = 0;
        first = 2;
    }
    if (argc < first + 2) {
        fprintf(stderr, "usage: pipeops-sandbox [--no-mount] ROOT COMMAND [ARG...]\n");
        return 2;
    }
    const char *root = argv[first];
    char **command = argv + first + 1;
    /* Whatever mask pipeops inherited (a test runner's threads block signals), the helper must
       receive SIGTERM and friends: unblock everything before anything else. */
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    pid_t parent = getppid();
    /* Learn when pipeops dies; if it already has, stop here. */
    if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != parent) return 127;

    if (mount_sandbox) {
        if (unshare(CLONE_NEWNS) != 0) {
            fprintf(stderr, "pipeops-sandbox: unshare: %s\n", strerror(errno));
            return 127;
        }
        /* Keep our mounts out of the parent namespace. */
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
            fprintf(stderr, "pipeops-sandbox: making / private: %s\n", strerror(errno));
            return 127;
        }
        if (mount(root, "/opt/ml", NULL, MS_BIND | MS_REC, NULL) != 0) {
            fprintf(stderr, "pipeops-sandbox: bind-mounting %s at /opt/ml: %s\n", root, strerror(errno));
            return 127;
        }
    }

    struct sigaction stop = {0};
    stop.sa_handler = on_stop;
    sigemptyset(&stop.sa_mask);
    sigaction(SIGTERM, &stop, NULL);
    sigaction(SIGINT, &stop, NULL);
    sigaction(SIGHUP, &stop, NULL);
    struct sigaction alarm_action = {0};
    alarm_action.sa_handler = on_alarm;
    sigemptyset(&alarm_action.sa_mask);
    sigaction(SIGALRM, &alarm_action, NULL);

    pid_t child = fork();
    if (child < 0) {
        fprintf(stderr, "pipeops-sandbox: fork: %s\n", strerror(errno));
        return 127;
    }
    if (child == 0) {
        setpgid(0, 0);
        default_signals();
        execvp(command[0], command);
        fprintf(stderr, "pipeops-sandbox: %s: %s\n", command[0], strerror(errno));
        _exit(127);
    }
    setpgid(child, child); /* both sides set it, so no signal can reach the wrong group */

    const char *grace_text = getenv("PIPEOPS_GRACE");
    int grace = grace_text ? atoi(grace_text) : 2;
    if (grace < 1) grace = 1;
    int status = 0;
    int stopping = 0;
    for (;;) {
        if (stop_requested && !stopping) {
            stopping = 1;
            kill(-child, SIGTERM);
            alarm((unsigned)grace);
        }
        if (grace_over) {
            kill(-child, SIGKILL);
            grace_over = 0;
        }
        pid_t done = waitpid(child, &status, 0);
        if (done == child) break;
        if (done < 0 && errno != EINTR) break;
    }
    /* The step's main process has ended: nothing it started outlives it. */
    kill(-child, SIGKILL);
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        signal(sig, SIG_DFL);
        prctl(PR_SET_PDEATHSIG, 0);
        kill(getpid(), sig);
        return 128 + sig;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 127;
}
