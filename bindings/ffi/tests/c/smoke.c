/*
 * The C smoke test of include/ductape.h: open, a blocking call, an error, a panic, an
 * asynchronous call with progress, a cancelled one, describe, then N more blocking and
 * asynchronous calls (for valgrind: every buffer the library answers is freed here).
 *
 *   cc -std=c99 -Wall -Werror -I bindings/ffi/include smoke.c libductape_ffi.a -lm -ldl -lpthread
 *   ./smoke [N]        # prints "c smoke: K passed, 0 failed"; exit status 1 on a failure
 */
#include "ductape.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int passed, failed;

static void check(int ok, const char *what, const char *got) {
    if (ok) {
        passed++;
    } else {
        failed++;
        fprintf(stderr, "FAIL %s: %s\n", what, got ? got : "(null)");
    }
}

/* A reply as a NUL-terminated copy (the library's buffer is freed here). */
static char *take(uint8_t *reply, size_t len) {
    char *text = malloc(len + 1);
    memcpy(text, reply, len);
    text[len] = 0;
    ductape_reply_free(reply, len);
    return text;
}

static char *call(DuctapeHandle *h, const char *op, const char *params) {
    size_t len = 0;
    uint8_t *reply = ductape_call(h, (const uint8_t *)op, strlen(op), (const uint8_t *)params, strlen(params), &len);
    return take(reply, len);
}

/* One asynchronous call's state: the reply, once on_done has copied it. */
typedef struct {
    pthread_mutex_t lock;
    pthread_cond_t done;
    pthread_cond_t progressed;
    char *reply;
    int progress_events;
} Waiter;

static void on_progress(void *user_data, const uint8_t *event, size_t len) {
    Waiter *w = user_data;
    (void)event;
    (void)len;
    pthread_mutex_lock(&w->lock);
    w->progress_events++;
    pthread_cond_signal(&w->progressed);
    pthread_mutex_unlock(&w->lock);
}

static void on_done(void *user_data, uint64_t task_id, const uint8_t *reply, size_t len) {
    Waiter *w = user_data;
    (void)task_id;
    pthread_mutex_lock(&w->lock);
    w->reply = malloc(len + 1); /* lent for the callback only: copy it */
    memcpy(w->reply, reply, len);
    w->reply[len] = 0;
    pthread_cond_signal(&w->done);
    pthread_cond_signal(&w->progressed); /* a call that ends without progress ends the wait for it */
    pthread_mutex_unlock(&w->lock);
}

static uint64_t start(Waiter *w, DuctapeHandle *h, const char *op, const char *params) {
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->done, NULL);
    pthread_cond_init(&w->progressed, NULL);
    w->reply = NULL;
    w->progress_events = 0;
    return ductape_call_async(h, (const uint8_t *)op, strlen(op), (const uint8_t *)params, strlen(params),
                              on_progress, on_done, w);
}

static char *wait_reply(Waiter *w) {
    pthread_mutex_lock(&w->lock);
    while (w->reply == NULL) pthread_cond_wait(&w->done, &w->lock);
    pthread_mutex_unlock(&w->lock);
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->done);
    pthread_cond_destroy(&w->progressed);
    return w->reply;
}

/* Waits up to timeout_s for the call's first progress event: the operation is running then.
 * Answers whether it came. */
static int wait_first_progress(Waiter *w, int timeout_s) {
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += timeout_s;
    pthread_mutex_lock(&w->lock);
    int timed_out = 0;
    while (w->progress_events == 0 && w->reply == NULL && !timed_out)
        timed_out = pthread_cond_timedwait(&w->progressed, &w->lock, &deadline) != 0;
    int running = w->progress_events > 0 && w->reply == NULL;
    pthread_mutex_unlock(&w->lock);
    return running;
}

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 100;
    const char *dir = getenv("DUCTAPE_SMOKE_DIR") ? getenv("DUCTAPE_SMOKE_DIR") : "/tmp/ductape-c-smoke";
    char options[512];
    snprintf(options, sizeof options, "{\"debug_operations\": true, \"workspace_dir\": \"%s\"}", dir);

    uint8_t *error = NULL;
    size_t error_len = 0;
    DuctapeHandle *bad = ductape_open((const uint8_t *)"{\"bogus\":1}", 11, &error, &error_len);
    char *text = take(error, error_len);
    check(bad == NULL && strstr(text, "\"invalid_argument\"") != NULL, "open with bad options", text);
    free(text);

    DuctapeHandle *h = ductape_open((const uint8_t *)options, strlen(options), NULL, NULL);
    check(h != NULL, "open", options);
    if (h == NULL) return 1;

    text = call(h, "debug.echo", "{\"value\":[1,\"\xc3\xa9\"]}");
    check(strcmp(text, "{\"ok\":true,\"result\":[1,\"\xc3\xa9\"]}") == 0, "echo", text);
    free(text);
    text = call(h, "debug.error", "{\"code\":\"not_found\",\"message\":\"gone\",\"field\":\"tag\"}");
    check(strstr(text, "\"code\":\"not_found\"") && strstr(text, "\"field\":\"tag\""), "error envelope", text);
    free(text);
    text = call(h, "debug.panic", "{\"message\":\"smoke\"}");
    check(strstr(text, "\"code\":\"internal\"") != NULL, "a panic is an error envelope", text);
    free(text);
    size_t len = 0;
    uint8_t *raw = ductape_call(h, (const uint8_t *)"\xff", 1, NULL, 0, &len);
    text = take(raw, len);
    check(strstr(text, "not UTF-8") != NULL, "non-UTF-8 input", text);
    free(text);

    Waiter w;
    start(&w, h, "debug.progress", "{\"steps\":3}");
    text = wait_reply(&w);
    check(strcmp(text, "{\"ok\":true,\"result\":{\"reported\":3}}") == 0 && w.progress_events == 3, "async + progress", text);
    free(text);

    /* Cancelled while it runs: its first progress event says it is inside the operation (a call of
     * 10,000 ticks, 10 ms apart, that would take 100 s). */
    uint64_t id = start(&w, h, "debug.progress", "{\"steps\":10000,\"delay_ms\":10}");
    check(wait_first_progress(&w, 30), "the call to cancel reports progress: it is running", NULL);
    double t0 = now_ms();
    check(ductape_cancel(id), "cancel finds the task", NULL);
    text = wait_reply(&w);
    check(strstr(text, "\"code\":\"cancelled\"") != NULL && now_ms() - t0 < 1000, "cancel in flight", text);
    free(text);

    uint64_t unused = ductape_task_new();
    check(ductape_task_free(unused) && !ductape_task_free(unused) && !ductape_cancel(unused), "an unused task id freed once",
          NULL);

    raw = ductape_describe(&len);
    text = take(raw, len);
    check(strstr(text, "\"cloud.connections.create\"") != NULL, "describe", NULL);
    free(text);
    check(strcmp(ductape_version(), "") != 0, "version", ductape_version());

    /* The leak check's load: N blocking and N asynchronous calls. */
    int bad_replies = 0;
    double t1 = now_ms();
    for (long i = 0; i < n; i++) {
        text = call(h, "debug.echo", "{\"value\":\"leak?\"}");
        bad_replies += strcmp(text, "{\"ok\":true,\"result\":\"leak?\"}") != 0;
        free(text);
    }
    double blocking_ms = now_ms() - t1;
    double t2 = now_ms();
    for (long i = 0; i < n; i++) {
        start(&w, h, "debug.echo", "{\"value\":1}");
        text = wait_reply(&w);
        bad_replies += strcmp(text, "{\"ok\":true,\"result\":1}") != 0;
        free(text);
    }
    double async_ms = now_ms() - t2;
    check(bad_replies == 0, "repeated calls", NULL);
    ductape_close(h);
    printf("c smoke: %ld blocking calls, %.2f us each; %ld async calls (callback, waited for), %.2f us each\n", n,
           n ? blocking_ms * 1000 / n : 0, n, n ? async_ms * 1000 / n : 0);
    printf("c smoke: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
