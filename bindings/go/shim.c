// Passes the exported Go callbacks (callbacks.go) to ductape_call_async as function pointers,
// with the cgo.Handle as user_data. Go cannot name an exported function's address itself.
#include "ductape.h"
#include "_cgo_export.h"

static void done_trampoline(void *user_data, uint64_t task_id, const uint8_t *reply, size_t reply_len) {
    ductapeGoDone((uintptr_t)user_data, task_id, (uint8_t *)reply, reply_len);
}

static void progress_trampoline(void *user_data, const uint8_t *event, size_t event_len) {
    ductapeGoProgress((uintptr_t)user_data, (uint8_t *)event, event_len);
}

uint64_t ductape_go_call_async(const DuctapeHandle *handle, const uint8_t *op, size_t op_len,
                               const uint8_t *params, size_t params_len, int with_progress, uintptr_t user) {
    return ductape_call_async(handle, op, op_len, params, params_len,
                              with_progress ? progress_trampoline : NULL, done_trampoline, (void *)user);
}
