package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/pkid/pkid/internal/errs"
)

// envelope is the error body of every failed request.
type envelope struct {
	ReqID      string `json:"reqId"`
	StatusCode int    `json:"statusCode"`
	Message    any    `json:"message"`
	Error      string `json:"error"`
	Details    any    `json:"details,omitempty"`
}

// kindStatus maps each error kind to its HTTP status and error name.
var kindStatus = map[errs.Kind]struct {
	status int
	name   string
}{
	errs.BadRequest:       {http.StatusBadRequest, "BadRequest"},
	errs.Validation:       {http.StatusUnprocessableEntity, "ValidationFailure"},
	errs.NotFound:         {http.StatusNotFound, "NotFound"},
	errs.Unauthorized:     {http.StatusUnauthorized, "UnauthorizedError"},
	errs.TokenInvalid:     {http.StatusForbidden, "TokenError"},
	errs.PermissionDenied: {http.StatusForbidden, "PermissionDenied"},
	errs.Conflict:         {http.StatusConflict, "Conflict"},
	errs.RateLimited:      {http.StatusTooManyRequests, "RateLimitExceeded"},
	errs.TooLarge:         {http.StatusRequestEntityTooLarge, "PayloadTooLarge"},
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError sends the envelope for err. Errors that are not *errs.Error
// are internal faults: the client gets "Something went wrong" and the log
// gets the cause with the request id.
func (a *API) writeError(w http.ResponseWriter, r *http.Request, err error) {
	reqID := requestID(r)
	e, ok := errs.As(err)
	if !ok && errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		// The client closed the connection, so no response can be read, and it is no fault.
		a.log.Info("client closed the request", "req_id", reqID, "method", r.Method, "path", r.URL.Path)
		return
	}
	if !ok {
		a.log.Error("request failed", "req_id", reqID, "method", r.Method, "path", r.URL.Path, "error", err)
		writeJSON(w, http.StatusInternalServerError, envelope{
			ReqID: reqID, StatusCode: 500, Message: "Something went wrong", Error: "InternalServerError",
		})
		return
	}
	ks, known := kindStatus[e.Kind]
	if !known {
		a.log.Error("unmapped error kind", "req_id", reqID, "kind", int(e.Kind), "error", err)
		ks.status, ks.name = http.StatusInternalServerError, "InternalServerError"
	}
	if rec, ok := w.(*statusRecorder); ok {
		rec.errMessage = e.Message
	}
	env := envelope{ReqID: reqID, StatusCode: ks.status, Message: e.Message, Error: ks.name, Details: e.Details}
	if e.Kind == errs.Validation {
		env.Message = e.Issues
	}
	writeJSON(w, ks.status, env)
}

// writeStatus sends an envelope for a status that has no errs kind, such
// as 404 for an unknown route or 413 for a body over the limit.
func writeStatus(w http.ResponseWriter, r *http.Request, status int, name, message string) {
	writeJSON(w, status, envelope{ReqID: requestID(r), StatusCode: status, Message: message, Error: name})
}
