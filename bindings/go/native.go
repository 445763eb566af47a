package ductape

// The cgo layer over include/ductape.h: the only file that touches C. Everything above it works
// with Go byte slices and the reply envelope's text.
//
// The header and the library sit in native/: in this repository scripts/test-go.sh copies them there
// (bindings/ffi/include/ductape.h and the cargo build's archive); in the module a user downloads
// (scripts/package.sh) they are part of it.
//
// Linking: static by default (native/libductape_ffi.a), so a Go program ships as one binary; the build tag ductape_dynamic links
// native/libductape_ffi.so instead (see link_static.go, link_dynamic.go).

/*
#cgo CFLAGS: -I${SRCDIR}/native
#include <stdlib.h>
#include "ductape.h"

uint8_t *ductape_go_call_cancellable(const DuctapeHandle *handle, uint64_t task_id, const uint8_t *op,
                                     size_t op_len, const uint8_t *params, size_t params_len, uintptr_t progress,
                                     size_t *reply_len);
*/
import "C"

import (
	"runtime/cgo"
	"unsafe"
)

// cHandle is an open handle from ductape_open.
type cHandle struct{ h *C.DuctapeHandle }

// bytesPtr is the address of b's first byte (nil for an empty slice, which the library accepts
// with length 0). The library copies what it reads before the call returns.
func bytesPtr(b []byte) *C.uint8_t {
	if len(b) == 0 {
		return nil
	}
	return (*C.uint8_t)(unsafe.Pointer(&b[0]))
}

// takeReply copies a buffer the library answered into Go memory and frees it with
// ductape_reply_free (never C.free).
func takeReply(ptr *C.uint8_t, n C.size_t) []byte {
	if ptr == nil {
		return nil
	}
	out := C.GoBytes(unsafe.Pointer(ptr), C.int(n))
	C.ductape_reply_free(ptr, n)
	return out
}

// nativeOpen answers a handle, or nil and the error envelope.
func nativeOpen(options []byte) (*C.DuctapeHandle, []byte) {
	var errPtr *C.uint8_t
	var errLen C.size_t
	h := C.ductape_open(bytesPtr(options), C.size_t(len(options)), &errPtr, &errLen)
	if h == nil {
		return nil, takeReply(errPtr, errLen)
	}
	return h, nil
}

func nativeClose(h *C.DuctapeHandle) { C.ductape_close(h) }

// nativeCall is the blocking call on the caller's thread: the fast path, used when the context
// can never be cancelled and no progress is wanted.
func nativeCall(h *C.DuctapeHandle, op, params []byte) []byte {
	var n C.size_t
	ptr := C.ductape_call(h, bytesPtr(op), C.size_t(len(op)), bytesPtr(params), C.size_t(len(params)), &n)
	return takeReply(ptr, n)
}

// nativeCallCancellable is the blocking call that ductape_cancel(taskID) stops from another
// goroutine; progress (0 for none) is a cgo.Handle of a func([]byte), called on this thread.
func nativeCallCancellable(h *C.DuctapeHandle, taskID uint64, op, params []byte, progress cgo.Handle) []byte {
	var n C.size_t
	ptr := C.ductape_go_call_cancellable(h, C.uint64_t(taskID), bytesPtr(op), C.size_t(len(op)), bytesPtr(params),
		C.size_t(len(params)), C.uintptr_t(progress), &n)
	return takeReply(ptr, n)
}

func nativeTaskNew() uint64 { return uint64(C.ductape_task_new()) }

func nativeCancel(taskID uint64) bool { return bool(C.ductape_cancel(C.uint64_t(taskID))) }

func nativeDescribe() []byte {
	var n C.size_t
	return takeReply(C.ductape_describe(&n), n)
}

func nativeVersion() string { return C.GoString(C.ductape_version()) }

func nativeAliveTasks() int64 { return int64(C.ductape_debug_alive_tasks()) }
