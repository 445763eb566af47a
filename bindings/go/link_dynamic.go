//go:build ductape_dynamic

package ductape

// go build -tags ductape_dynamic: link native/libductape_ffi.so (found at run time through the
// rpath set here, or LD_LIBRARY_PATH).

/*
#cgo LDFLAGS: -L${SRCDIR}/native -lductape_ffi -Wl,-rpath,${SRCDIR}/native
*/
import "C"
