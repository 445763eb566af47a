//go:build !ductape_dynamic

package ductape

// Static linking (the default): the library's archive goes into the Go binary, which then needs
// no libductape_ffi.so at run time. The Rust standard library needs libm, libdl and libpthread.

/*
#cgo LDFLAGS: ${SRCDIR}/native/libductape_ffi.a -lm -ldl -lpthread
*/
import "C"
