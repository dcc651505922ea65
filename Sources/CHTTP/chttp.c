// libcurl through dlopen: see include/chttp.h. The typed wrappers call curl_easy_setopt with its
// real (variadic) prototype, which Swift cannot do.
#include "chttp.h"

#include <curl/curl.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct {
    void *handle;
    CURLcode (*global_init)(long);
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_perform)(CURL *);
    CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
    void (*easy_cleanup)(CURL *);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
    const char *(*easy_strerror)(CURLcode);
    char error[256];
} curl;

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void) {
    const char *names[] = {"libcurl.so.4", "libcurl-gnutls.so.4", "libcurl-nss.so.4", "libcurl.so"};
    for (size_t i = 0; i < sizeof names / sizeof names[0] && !curl.handle; i++) {
        curl.handle = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
    }
    if (!curl.handle) {
        snprintf(curl.error, sizeof curl.error, "libcurl is not installed (apt-get install libcurl4)");
        return;
    }
#define SYMBOL(field, name)                                                                          \
    *(void **)(&curl.field) = dlsym(curl.handle, name);                                              \
    if (!curl.field) {                                                                               \
        snprintf(curl.error, sizeof curl.error, "libcurl has no %s", name);                          \
        curl.handle = NULL;                                                                          \
        return;                                                                                      \
    }
    SYMBOL(global_init, "curl_global_init")
    SYMBOL(easy_init, "curl_easy_init")
    SYMBOL(easy_setopt, "curl_easy_setopt")
    SYMBOL(easy_perform, "curl_easy_perform")
    SYMBOL(easy_getinfo, "curl_easy_getinfo")
    SYMBOL(easy_cleanup, "curl_easy_cleanup")
    SYMBOL(slist_append, "curl_slist_append")
    SYMBOL(slist_free_all, "curl_slist_free_all")
    SYMBOL(easy_strerror, "curl_easy_strerror")
#undef SYMBOL
    if (curl.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        snprintf(curl.error, sizeof curl.error, "libcurl did not initialise");
        curl.handle = NULL;
    }
}

int pipeops_http_load(char *why, size_t why_length) {
    pthread_once(&once, load);
    if (!curl.handle && why && why_length) snprintf(why, why_length, "%s", curl.error);
    return curl.handle != NULL;
}

typedef struct {
    char *data;
    size_t length;
    size_t capacity;
} buffer;

static size_t append(buffer *b, const char *data, size_t length) {
    if (b->length + length + 1 > b->capacity) {
        size_t capacity = b->capacity ? b->capacity : 4096;
        while (capacity < b->length + length + 1) capacity *= 2;
        char *grown = realloc(b->data, capacity);
        if (!grown) return 0;
        b->data = grown;
        b->capacity = capacity;
    }
    memcpy(b->data + b->length, data, length);
    b->length += length;
    b->data[b->length] = 0;
    return length;
}

static size_t on_body(char *data, size_t size, size_t count, void *user) { return append(user, data, size * count); }

static size_t on_header(char *data, size_t size, size_t count, void *user) {
    buffer *b = user;
    // A new status line (after 100 Continue or a redirect) starts the headers afresh.
    if (size * count >= 5 && strncmp(data, "HTTP/", 5) == 0) b->length = 0;
    return append(b, data, size * count);
}

void pipeops_http_perform(const char *method, const char *url, const char *const *headers, size_t header_count,
                          const void *body, size_t body_length, long connect_seconds, long stall_seconds,
                          long total_seconds, pipeops_http_response *response) {
    memset(response, 0, sizeof *response);
    if (!pipeops_http_load(response->message, sizeof response->message)) {
        response->failure = 1;
        return;
    }
    CURL *easy = curl.easy_init();
    if (!easy) {
        response->failure = 6;
        snprintf(response->message, sizeof response->message, "libcurl could not make a handle");
        return;
    }
    buffer out = {0}, head = {0};
    char error[CURL_ERROR_SIZE] = {0};
    struct curl_slist *list = NULL;
    for (size_t i = 0; i < header_count; i++) list = curl.slist_append(list, headers[i]);
    // No "Expect: 100-continue" round trip, no body type curl would choose itself.
    list = curl.slist_append(list, "Expect:");
    curl.easy_setopt(easy, CURLOPT_URL, url);
    curl.easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl.easy_setopt(easy, CURLOPT_HTTPHEADER, list);
    curl.easy_setopt(easy, CURLOPT_ERRORBUFFER, error);
    curl.easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
    curl.easy_setopt(easy, CURLOPT_WRITEDATA, &out);
    curl.easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header);
    curl.easy_setopt(easy, CURLOPT_HEADERDATA, &head);
    curl.easy_setopt(easy, CURLOPT_CONNECTTIMEOUT, connect_seconds);
    curl.easy_setopt(easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl.easy_setopt(easy, CURLOPT_LOW_SPEED_TIME, stall_seconds);
    curl.easy_setopt(easy, CURLOPT_TIMEOUT, total_seconds);
    if (strcmp(method, "HEAD") == 0) {
        curl.easy_setopt(easy, CURLOPT_NOBODY, 1L);
    } else {
        curl.easy_setopt(easy, CURLOPT_CUSTOMREQUEST, method);
        if (body_length > 0 || strcmp(method, "GET") != 0) {
            curl.easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_length);
            curl.easy_setopt(easy, CURLOPT_POSTFIELDS, body_length ? body : "");
        }
    }
    CURLcode code = curl.easy_perform(easy);
    long status = 0;
    curl.easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    response->status = status;
    switch (code) {
    case CURLE_OK: response->failure = 0; break;
    case CURLE_OPERATION_TIMEDOUT: response->failure = strstr(error, "too slow") ? 3 : 2; break;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY: response->failure = 4; break;
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE: response->failure = 5; break;
    default: response->failure = 6; break;
    }
    if (code != CURLE_OK) {
        snprintf(response->message, sizeof response->message, "%s", error[0] ? error : curl.easy_strerror(code));
    }
    response->body = out.data;
    response->body_length = out.length;
    response->headers = head.data;
    response->headers_length = head.length;
    curl.slist_free_all(list);
    curl.easy_cleanup(easy);
}

void pipeops_http_release(pipeops_http_response *response) {
    free(response->body);
    free(response->headers);
    response->body = NULL;
    response->headers = NULL;
}
