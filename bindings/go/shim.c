// Passes the exported Go progress callback (callbacks.go) to ductape_call_cancellable as a
// function pointer, with a cgo.Handle as user_data: Go cannot name an exported function's address.
#include "ductape.h"
#include "_cgo_export.h"

static void progress_trampoline(void *user_data, const uint8_t *event, size_t event_len) {
    ductapeGoProgress((uintptr_t)user_data, (uint8_t *)event, event_len);
}

uint8_t *ductape_go_call_cancellable(const DuctapeHandle *handle, uint64_t task_id, const uint8_t *op,
                                     size_t op_len, const uint8_t *params, size_t params_len, uintptr_t progress,
                                     size_t *reply_len) {
    return ductape_call_cancellable(handle, task_id, op, op_len, params, params_len,
                                    progress ? progress_trampoline : NULL, (void *)progress, reply_len);
}
