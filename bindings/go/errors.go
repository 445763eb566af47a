package ductape

import "fmt"

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

// errorOf is the *Error of an envelope's error object.
func errorOf(fields map[string]any) *Error {
	e := &Error{}
	e.Code, _ = fields["code"].(string)
	e.Message, _ = fields["message"].(string)
	e.Field, _ = fields["field"].(string)
	e.Details, _ = fields["details"].(map[string]any)
	return e
}

func sentinel(code string) *Error { return &Error{Code: code, Message: code, sentinel: true} }
