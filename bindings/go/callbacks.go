package ductape

// The progress callback, which the library calls on the thread of the blocking call that
// reports it (a Go thread inside cgo, so the callback is cheap). A file of its own: cgo forbids C definitions in the preamble of a file with
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

//export ductapeGoProgress
func ductapeGoProgress(userData C.uintptr_t, event *C.uint8_t, n C.size_t) {
	listen := cgo.Handle(userData).Value().(func([]byte))
	// The event is lent for the callback's duration only: copy it.
	listen(C.GoBytes(unsafe.Pointer(event), C.int(n)))
}
