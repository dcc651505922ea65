/* Linked into the release binary only (scripts/release.sh), with `--wrap` for the four global
   functions of libgit2's src/libgit2/streams/mbedtls.c.

   pipeops reads and writes local repositories through libgit2 (commits, tags, notes) and never
   talks to a remote through it, but libgit2 1.5 with mbedTLS sets TLS up inside
   git_libgit2_init(): it seeds an entropy pool and parses every certificate of
   /etc/ssl/certs/ca-certificates.crt, 4.5-8 ms on every command that opens a repository (more
   than the rest of pipeops's start-up). With every reference to those four functions sent here,
   the linker never takes that member from the archive: initialisation sets nothing up, and an
   HTTPS stream or certificate location, which pipeops never asks for, is refused with a libgit2
   error. Tests/release/check-release.sh checks that the installed binary holds none of that
   member's texts and this file's refusal instead.

   The same for HTTP's Negotiate (Kerberos) authentication, src/libgit2/transports/
   auth_negotiate.c: its one global function comes here too, so the member and its GSSAPI calls
   are never taken, and the binary no longer needs libgssapi_krb5 and the six libraries it loads
   (libkrb5, libk5crypto, libcom_err, libkrb5support, libkeyutils, libresolv) at every start.

   The libgit2 function this calls is a weak reference: the same link flags reach
   pipeops-sandbox, which has no libgit2. */

#include <git2/errors.h>
#include <stddef.h>

struct git_stream;

extern int git_error_set_str(int error_class, const char *string) __attribute__((weak));

static int refuse(void) {
    if (git_error_set_str)
        git_error_set_str(GIT_ERROR_SSL, "pipeops links libgit2 without TLS: it never talks to a remote through libgit2");
    return -1;
}

int __wrap_git_mbedtls_stream_global_init(void) { return 0; }

int __wrap_git_mbedtls__set_cert_location(const char *file, const char *path) {
    (void)file;
    (void)path;
    return refuse();
}

int __wrap_git_mbedtls_stream_new(struct git_stream **out, const char *host, const char *port) {
    (void)host;
    (void)port;
    if (out) *out = NULL;
    return refuse();
}

int __wrap_git_mbedtls_stream_wrap(struct git_stream **out, struct git_stream *in, const char *host) {
    (void)in;
    (void)host;
    if (out) *out = NULL;
    return refuse();
}

struct git_http_auth_context;
struct git_net_url;

int __wrap_git_http_auth_negotiate(struct git_http_auth_context **out, const struct git_net_url *url) {
    (void)url;
    if (out) *out = NULL;
    if (git_error_set_str)
        git_error_set_str(GIT_ERROR_NET, "pipeops links libgit2 without Negotiate authentication: it never talks to a remote through libgit2");
    return -1;
}
