/*
 * ductape.h: the `ductape_*` C ABI of libductape_ffi (bindings/ffi/src/c_abi.rs).
 *
 * Kept in step with the Rust declarations by bindings/ffi/tests/c_header.rs.
 *
 * Ownership, for every function:
 * - Strings in are UTF-8 with an explicit length (no NUL needed) and are only read during the call.
 * - A reply from ductape_call belongs to the caller, who frees it exactly once with
 *   ductape_reply_free(reply, reply_len); never with free().
 * - A handle (from the uniffi client's native_handle(), until the C ABI's own constructor lands)
 *   is released exactly once with ductape_handle_release, after its last call has returned.
 * No function unwinds into the caller: a panic inside the library is an "internal" error envelope.
 */
#ifndef DUCTAPE_H
#define DUCTAPE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One reference on a Ductape client (its workspace and Atlas clients). Opaque. */
typedef struct DuctapeHandle DuctapeHandle;

/*
 * Runs one operation, blocking the calling thread, and answers the reply envelope
 * {"ok":true,"result":...} or {"ok":false,"error":{"code","message","field"?,"details"?}} as
 * reply_len bytes of UTF-8 (not NUL-terminated). Any thread but the library's own may call it, many
 * at once. A null handle or text that is not UTF-8 is an error envelope, not a crash.
 */
uint8_t *ductape_call(const DuctapeHandle *handle,
                      const uint8_t *operation, size_t operation_len,
                      const uint8_t *params, size_t params_len,
                      size_t *reply_len);

/* Frees a reply of ductape_call (exactly the pointer and length it answered). Null is ignored. */
void ductape_reply_free(uint8_t *reply, size_t reply_len);

/* Releases a handle. The client lives on while other references to it do. Null is ignored. */
void ductape_handle_release(DuctapeHandle *handle);

#ifdef __cplusplus
}
#endif

#endif /* DUCTAPE_H */
