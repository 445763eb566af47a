package ductape

import (
	"context"
	"encoding/json"
	"log"
)

// ProgressEvent is one step of a long operation (a network sync waiting for Atlas, an import).
type ProgressEvent struct {
	Operation string  `json:"operation"`
	Step      string  `json:"step"`
	Done      uint64  `json:"done"`
	Total     *uint64 `json:"total,omitempty"`
	ElapsedMs uint64  `json:"elapsed_ms"`
	Message   string  `json:"message,omitempty"`
}

type progressKey struct{}

// WithProgress answers a context whose calls report their progress events to listen. The
// listener runs on a library thread while the call runs and must return quickly; the call's
// result arrives after its last event. A listener that panics is dropped for that call (logged
// once; the call goes on), as in every language (ductape.h): a panic must never cross cgo.
func WithProgress(ctx context.Context, listen func(ProgressEvent)) context.Context {
	return context.WithValue(ctx, progressKey{}, listen)
}

func progressOf(ctx context.Context) func([]byte) {
	listen, _ := ctx.Value(progressKey{}).(func(ProgressEvent))
	if listen == nil {
		return nil
	}
	// One call's events arrive on that call's thread, one at a time: no lock needed.
	dropped := false
	return func(event []byte) {
		var e ProgressEvent
		if dropped || json.Unmarshal(event, &e) != nil {
			return
		}
		defer func() {
			if r := recover(); r != nil {
				dropped = true
				log.Printf("ductape: a progress listener of %s panicked; no more events for this call: %v", e.Operation, r)
			}
		}()
		listen(e)
	}
}

// Warning is a note the core attached to a reply (today atlas_api_deprecated: Atlas marks an API
// version this library pins as deprecated).
type Warning struct {
	Code    string         `json:"code"`
	Message string         `json:"message"`
	Details map[string]any `json:"details,omitempty"`
}

// WarningHandler receives every reply's warnings; the default logs them with the standard
// logger. Set it before the first call (it is not synchronised).
var WarningHandler = func(w Warning) { log.Printf("ductape warning: %s: %s", w.Code, w.Message) }

func warningsOf(raw []any) []Warning {
	out := make([]Warning, 0, len(raw))
	for _, r := range raw {
		if m, ok := r.(map[string]any); ok {
			w := Warning{}
			w.Code, _ = m["code"].(string)
			w.Message, _ = m["message"].(string)
			w.Details, _ = m["details"].(map[string]any)
			out = append(out, w)
		}
	}
	return out
}

func logWarnings(warnings []Warning) {
	for _, w := range warnings {
		if WarningHandler != nil {
			WarningHandler(w)
		}
	}
}
