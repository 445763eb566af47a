package ductape

// The callbacks the library calls on its runtime threads (cgo runs them on a Go-managed copy of
// that thread). A file of its own: cgo forbids C definitions in the preamble of a file with
// //export, so the C shim that passes them as function pointers lives in shim.c.

/*
#include <stdint.h>
#include <stddef.h>
*/
import "C"

import (
	"runtime/cgo"
	"unsafe"
)

//export ductapeGoDone
func ductapeGoDone(userData C.uintptr_t, taskID C.uint64_t, reply *C.uint8_t, n C.size_t) {
	call := cgo.Handle(userData).Value().(*asyncCall)
	// The reply is lent for the callback's duration only: copy it.
	call.done <- C.GoBytes(unsafe.Pointer(reply), C.int(n))
}

//export ductapeGoProgress
func ductapeGoProgress(userData C.uintptr_t, event *C.uint8_t, n C.size_t) {
	call := cgo.Handle(userData).Value().(*asyncCall)
	if call.progress != nil {
		call.progress(C.GoBytes(unsafe.Pointer(event), C.int(n)))
	}
}
