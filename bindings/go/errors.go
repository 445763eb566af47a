package ductape

import (
	"encoding/json"
	"fmt"
)

// Error is every failure the core reports: a stable Code (one of the Err* sentinels' codes), a
// Message, the request Field it concerns ("" when none) and optional Details.
//
//	var e *ductape.Error
//	if errors.As(err, &e) && e.Field == "tag" { ... }
//	if errors.Is(err, ductape.ErrNotFound) { ... }
//
// A call cancelled through its context also matches context.Canceled or
// context.DeadlineExceeded with errors.Is.
type Error struct {
	Code    string         `json:"code"`
	Message string         `json:"message"`
	Field   string         `json:"field,omitempty"`
	Details map[string]any `json:"details,omitempty"`

	cause    error // the context's error, for a call its context cancelled
	sentinel bool
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("ductape: %s: %s (field %s)", e.Code, e.Message, e.Field)
	}
	return fmt.Sprintf("ductape: %s: %s", e.Code, e.Message)
}

// Is matches the sentinel of the same code (errors.Is(err, ductape.ErrNotFound)).
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.sentinel && t.Code == e.Code
}

// Unwrap answers the context's error for a call its context cancelled, else nil.
func (e *Error) Unwrap() error { return e.cause }

// UnmarshalJSON keeps the envelope's details' numbers exact (json.Number).
func (e *Error) UnmarshalJSON(data []byte) error {
	var raw struct {
		Code    string          `json:"code"`
		Message string          `json:"message"`
		Field   *string         `json:"field"`
		Details json.RawMessage `json:"details"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	e.Code, e.Message = raw.Code, raw.Message
	if raw.Field != nil {
		e.Field = *raw.Field
	}
	if len(raw.Details) > 0 && string(raw.Details) != "null" {
		v, err := decodeValue(raw.Details)
		if err != nil {
			return err
		}
		e.Details, _ = v.(map[string]any)
	}
	return nil
}

func sentinel(code string) *Error { return &Error{Code: code, Message: code, sentinel: true} }
