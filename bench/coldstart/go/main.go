// Item 5, Go: open the workspace, first call; one JSON line. The library is linked in statically
// (bindings/go/native/libductape_ffi.a, the release archive scripts/bench-bindings.sh copies there),
// so "load" is the process start.
//
//	go build -o coldstart-go . && ./coldstart-go WORKSPACE_DIR
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"ductape.dev/ductape"
)

func main() {
	t0 := time.Now()
	c, err := ductape.Open(map[string]any{"workspace_dir": os.Args[1], "workspace_key": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="})
	if err != nil {
		panic(err)
	}
	opened := time.Since(t0)
	v, err := c.Call(context.Background(), "cloud.connections.fetch", map[string]any{"tag": "c0500"})
	if err != nil || v.(map[string]any)["tag"] != "c0500" {
		panic(fmt.Sprint(v, err))
	}
	first := time.Since(t0)
	out, _ := json.Marshal(map[string]any{"lang": "go", "open_ms": opened.Seconds() * 1e3, "first_call_ms": first.Seconds() * 1e3})
	fmt.Println(string(out))
	c.Close()
}
