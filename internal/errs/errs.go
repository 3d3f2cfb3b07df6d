// Package errs is the closed set of error kinds the core returns. The API
// layer maps each kind to an HTTP status and envelope once, so the core
// never chooses status codes and nobody classifies errors by their text.
package errs

import (
	"errors"
	"fmt"
)

// Kind classifies an error for the client.
type Kind int

// The error kinds. Anything that is not an *Error is an internal fault.
const (
	BadRequest       Kind = iota + 1 // a request that is well formed but not allowed now
	Validation                       // fields that fail their schema
	NotFound                         // a resource that does not exist
	Unauthorized                     // no credentials, or wrong ones at login
	TokenInvalid                     // an expired, malformed or revoked token
	PermissionDenied                 // a caller without the needed permission
	Conflict                         // a uniqueness rule the request would break
	RateLimited                      // too many requests
	TooLarge                         // a request body over the size limit
)

// FieldIssue names one invalid field of a request.
type FieldIssue struct {
	Path    []any  `json:"path"`
	Message string `json:"message"`
	Code    string `json:"code"`
}

// Error is an error meant for the client: its Message is safe to show.
type Error struct {
	Kind    Kind
	Message string
	// Details is optional structured context, such as a missing permission.
	Details any
	// Issues lists the invalid fields of a Validation error.
	Issues []FieldIssue
}

func (e *Error) Error() string { return e.Message }

// New returns an error of kind k with a client-safe message.
func New(k Kind, format string, args ...any) *Error {
	return &Error{Kind: k, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns a Validation error for one field.
func Invalid(field, code, message string) *Error {
	return &Error{
		Kind:    Validation,
		Message: message,
		Issues:  []FieldIssue{{Path: []any{field}, Message: message, Code: code}},
	}
}

// Denied returns the PermissionDenied error for action on subject.
func Denied(action, subject string) *Error {
	return &Error{
		Kind:    PermissionDenied,
		Message: fmt.Sprintf("You are not allowed to %s on %s", action, subject),
		Details: []map[string]string{{"action": action, "subject": subject}},
	}
}

// As returns the *Error in err's chain, if any.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// Is reports whether err's chain holds an *Error of kind k.
func Is(err error, k Kind) bool {
	e, ok := As(err)
	return ok && e.Kind == k
}
