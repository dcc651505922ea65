#ifndef PIPEOPS_CHTTP_H
#define PIPEOPS_CHTTP_H

#include <stddef.h>

/// One HTTP exchange through libcurl's easy interface, which waits in poll(2): a stalled or
/// trickling connection costs no CPU and ends at its limits. libcurl is loaded with dlopen on
/// the first request, so commands that never talk to AWS never load it.
typedef struct {
    long status;              ///< HTTP status (0 when no answer)
    char *body;               ///< response body (malloc'd, may be NULL)
    size_t body_length;
    char *headers;            ///< raw response header lines of the last response (malloc'd)
    size_t headers_length;
    int failure;              ///< 0 ok; 1 no libcurl; 2 timeout; 3 stalled; 4 connect; 5 reset or send/receive; 6 other
    char message[512];        ///< what went wrong, for messages
} pipeops_http_response;

/// Loads libcurl; returns 1 when it is available, else 0 with the reason in `why`.
int pipeops_http_load(char *why, size_t why_length);

/// Sends the request. `headers` are "Name: value" strings. `stall_seconds`: abort when fewer
/// than one byte moves for that long; `total_seconds`: the whole exchange's limit.
void pipeops_http_perform(const char *method, const char *url, const char *const *headers, size_t header_count,
                          const void *body, size_t body_length, long connect_seconds, long stall_seconds,
                          long total_seconds, pipeops_http_response *response);

void pipeops_http_release(pipeops_http_response *response);

#endif
