// Package ductape is the Go SDK of Ductape: every operation of the Rust core through one C ABI
// (cgo, bindings/ffi/include/ductape.h), with maps in and maps out.
//
//	client, err := ductape.Open(map[string]any{"workspace_dir": dir})
//	defer client.Close()
//	conn, err := client.Cloud.Connections.Create(ctx, map[string]any{"provider": "mongodb_atlas", "name": "prod_atlas"})
//	var derr *ductape.Error
//	if errors.As(err, &derr) { fmt.Println(derr.Code, derr.Field) }
//	if errors.Is(err, ductape.ErrNotFound) { ... }
//
// The namespaces (Cloud.Connections, Workspace, ...) are generated from the core's registry
// (ops_gen.go); Call reaches every operation by name, including ones newer than this file.
//
// Threads: a Client is safe for concurrent use by many goroutines. Every call runs on the calling
// goroutine's thread, blocked in cgo for the call's duration (as Go's cgo database drivers do). A
// call whose context can be cancelled is cancelled inside the library when the context is done
// (a deadline included); one with a context that can never be cancelled (context.Background) and
// no progress listener takes the plain ductape_call, the fastest path.
package ductape

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/cgo"
	"sync"
)

// Client is one open workspace. Close it when done; calls after Close fail with
// ErrFailedPrecondition.
type Client struct {
	mu     sync.RWMutex // held for reading by every call, for writing by Close
	handle *cHandle

	namespaces // Cloud, Workspace, ...: generated from the registry (ops_gen.go)
}

// Open opens a client from the core's options, e.g. {"workspace_dir": ".."} (nil for every
// default). Bad options answer an *Error naming the field.
func Open(options map[string]any) (*Client, error) {
	text := []byte("{}")
	if options != nil {
		var err error
		if text, err = json.Marshal(options); err != nil {
			return nil, &Error{Code: "invalid_argument", Message: "options: " + err.Error()}
		}
	}
	return OpenJSON(text)
}

// OpenJSON is Open with the options as JSON text.
func OpenJSON(options []byte) (*Client, error) {
	h, envelope := nativeOpen(options)
	if h == nil {
		_, err := decodeEnvelope(envelope)
		if err == nil {
			err = &Error{Code: "internal", Message: "the library answered neither a client nor an error"}
		}
		return nil, err
	}
	c := &Client{handle: &cHandle{h}}
	c.initNamespaces()
	return c, nil
}

// Close waits for running calls on this client to return and closes it. Idempotent.
func (c *Client) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.handle != nil {
		nativeClose(c.handle.h)
		c.handle = nil
	}
	return nil
}

// Call runs any operation by its registry name ("cloud.connections.create") with params (a map,
// a struct that encodes to a JSON object, or nil) and answers the decoded result. Numbers in the
// result are json.Number, so that no integer loses precision.
func (c *Client) Call(ctx context.Context, operation string, params any) (any, error) {
	text := []byte("null")
	if params != nil {
		var err error
		if text, err = json.Marshal(params); err != nil {
			return nil, &Error{Code: "invalid_argument", Message: "params: " + err.Error(), Field: "$"}
		}
	}
	return c.CallJSON(ctx, operation, text)
}

// CallJSON is Call with the request as JSON text, sent as it is (malformed text included: the
// core answers invalid_argument).
func (c *Client) CallJSON(ctx context.Context, operation string, params []byte) (any, error) {
	if err := ctx.Err(); err != nil {
		return nil, cancelledBy(err)
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.handle == nil {
		return nil, &Error{Code: "failed_precondition", Message: "the client is closed"}
	}
	progress := progressOf(ctx)
	if ctx.Done() == nil && progress == nil {
		return decodeEnvelope(nativeCall(c.handle.h, []byte(operation), params))
	}
	return c.callCancellable(ctx, []byte(operation), params, progress)
}

// callCancellable blocks this goroutine's thread in ductape_call_cancellable while a watcher
// goroutine calls ductape_cancel when ctx is done; the library then drops the work and answers
// "cancelled" at once. (The C ABI's ductape_call_async would hold no thread while it waits, but
// its hop to the library's runtime and the callback from a foreign thread cost about 70 µs a call,
// against a few µs here; see BENCHMARKS.md section 4.)
func (c *Client) callCancellable(ctx context.Context, op, params []byte, progress func([]byte)) (any, error) {
	id := nativeTaskNew()
	finished := make(chan struct{})
	if ctx.Done() != nil {
		go func() {
			select {
			case <-ctx.Done():
				nativeCancel(id)
			case <-finished:
			}
		}()
	}
	var listen cgo.Handle
	if progress != nil {
		listen = cgo.NewHandle(progress)
		defer listen.Delete()
	}
	reply := nativeCallCancellable(c.handle.h, id, op, params, listen)
	close(finished)
	result, err := decodeEnvelope(reply)
	var derr *Error
	if ctx.Err() != nil && errors.As(err, &derr) && derr.Code == "cancelled" {
		derr.cause = ctx.Err()
	}
	return result, err
}

func cancelledBy(cause error) error {
	return &Error{Code: "cancelled", Message: "the call was cancelled: " + cause.Error(), cause: cause}
}

// Object calls an operation whose reply is a JSON object (every registry operation's is).
func (c *Client) Object(ctx context.Context, operation string, params any) (map[string]any, error) {
	result, err := c.Call(ctx, operation, params)
	if err != nil {
		return nil, err
	}
	object, ok := result.(map[string]any)
	if !ok && result != nil {
		return nil, &Error{Code: "internal", Message: fmt.Sprintf("%s answered %T, not an object", operation, result)}
	}
	return object, nil
}

// withTag is the positional form {"tag": tag, "params": params} of Complete(ctx, tag, params)
// and Update(ctx, tag, params); the core merges it and refuses a different "tag" inside params.
func withTag(tag string, params map[string]any) map[string]any {
	if params == nil {
		params = map[string]any{}
	}
	return map[string]any{"tag": tag, "params": params}
}

// orEmpty sends a nil map as {} (a missing request), not as JSON null.
func orEmpty(params map[string]any) map[string]any {
	if params == nil {
		return map[string]any{}
	}
	return params
}

// decodeEnvelope answers the result of {"ok":true,"result":..} or the *Error of
// {"ok":false,"error":{..}}, decoding the reply once (numbers as json.Number).
func decodeEnvelope(reply []byte) (any, error) {
	v, err := decodeValue(reply)
	env, _ := v.(map[string]any)
	if err != nil || env == nil {
		return nil, &Error{Code: "internal", Message: "the library answered no envelope"}
	}
	if warnings, ok := env["warnings"].([]any); ok {
		logWarnings(warningsOf(warnings))
	}
	if ok, _ := env["ok"].(bool); ok {
		return env["result"], nil
	}
	fields, _ := env["error"].(map[string]any)
	if fields == nil {
		return nil, &Error{Code: "internal", Message: "an error envelope without an error"}
	}
	return nil, errorOf(fields)
}

func decodeValue(raw []byte) (any, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	if v, ok := fastDecode(raw); ok { // the library's plain replies (fastjson.go)
		return v, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, &Error{Code: "internal", Message: "the result is not JSON: " + err.Error()}
	}
	return v, nil
}

// Describe answers the library's machine-readable description: operations with their request
// and reply JSON Schemas, error codes, options (docs/operations.json).
func Describe() (map[string]any, error) {
	v, err := decodeValue(nativeDescribe())
	if err != nil {
		return nil, err
	}
	m, _ := v.(map[string]any)
	return m, nil
}

// SDKVersion is this module's version, the workspace's (scripts/check-versions.sh keeps the two
// equal; a test checks it against Version).
const SDKVersion = "0.1.0"

// Version is the native library's version.
func Version() string { return nativeVersion() }

// AliveTasks is how many tasks are alive on the library's runtime (for tests: after a
// cancelled call it returns to its earlier value).
func AliveTasks() int64 { return nativeAliveTasks() }
