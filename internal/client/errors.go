package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// APIError is a response with a status other than 200, decoded from the
// server's error envelope.
type APIError struct {
	StatusCode int
	// Name is the envelope's error field, such as NotFound or TokenError.
	Name string
	// Message is the envelope's message. For a 422 it joins the field
	// issues as "field.path: message; …".
	Message string
	// ReqID is the request id from the envelope, or from the X-Request-Id
	// header when the body is not an envelope.
	ReqID  string
	Issues []FieldIssue
}

// FieldIssue is one entry of a 422 ValidationFailure message.
type FieldIssue struct {
	Path    []any  `json:"path"`
	Message string `json:"message"`
	Code    string `json:"code"`
}

// Field returns the issue's path joined with dots, such as
// configuration.notAfter.
func (f FieldIssue) Field() string {
	parts := make([]string, len(f.Path))
	for i, p := range f.Path {
		parts[i] = fmt.Sprint(p)
	}
	return strings.Join(parts, ".")
}

// Error returns one line: the server's message, then the status, error
// name and request id in brackets.
func (e *APIError) Error() string {
	msg := strings.Join(strings.Fields(e.Message), " ")
	if msg == "" {
		msg = http.StatusText(e.StatusCode)
	}
	meta := fmt.Sprintf("HTTP %d", e.StatusCode)
	if e.Name != "" {
		meta += " " + e.Name
	}
	if e.ReqID != "" {
		meta += ", request id " + e.ReqID
	}
	return msg + " (" + meta + ")"
}

// IsAuthError reports whether err is a response that rejects the token or
// the credentials: 401 UnauthorizedError or 403 TokenError.
func IsAuthError(err error) bool {
	var ae *APIError
	if !errors.As(err, &ae) {
		return false
	}
	return ae.StatusCode == http.StatusUnauthorized || ae.Name == "TokenError"
}

// decodeError builds an APIError from a non-200 response. A body that is
// not an envelope (a proxy's HTML page, say) keeps its status and request
// id, and its first line becomes the message.
func decodeError(resp *http.Response, body []byte) *APIError {
	e := &APIError{StatusCode: resp.StatusCode, ReqID: resp.Header.Get("X-Request-Id")}
	var env struct {
		ReqID   string          `json:"reqId"`
		Message json.RawMessage `json:"message"`
		Error   string          `json:"error"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		e.Message = firstLine(string(body))
		return e
	}
	e.Name = env.Error
	if env.ReqID != "" {
		e.ReqID = env.ReqID
	}
	var text string
	if err := json.Unmarshal(env.Message, &text); err == nil {
		e.Message = text
		return e
	}
	if err := json.Unmarshal(env.Message, &e.Issues); err == nil && len(e.Issues) > 0 {
		msgs := make([]string, len(e.Issues))
		for i, is := range e.Issues {
			msgs[i] = is.Field() + ": " + is.Message
		}
		e.Message = "invalid request: " + strings.Join(msgs, "; ")
		return e
	}
	e.Message = firstLine(string(env.Message))
	return e
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	const maxLen = 200
	if len(s) > maxLen {
		s = s[:maxLen] + "…"
	}
	return s
}
