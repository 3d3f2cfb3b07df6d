package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/pkid/pkid/internal/auth"
	"github.com/pkid/pkid/internal/errs"
	"github.com/pkid/pkid/internal/store"
)

func (a *API) auditRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/projects/{projectId}/audit-logs", a.authed(a.listAudit))
}

func auditJSON(e store.AuditEntry) map[string]any {
	return map[string]any{
		"id": e.ID, "createdAt": formatTime(e.CreatedAt),
		"actor":  map[string]any{"type": e.ActorType, "identityId": e.IdentityID, "name": e.ActorName},
		"action": e.Action, "projectId": e.ProjectID, "caId": e.CAID, "resource": e.Resource,
		"metadata": e.Metadata, "reqId": e.ReqID,
	}
}

// decodeAuditFilter reads the query of GET audit-logs.
func decodeAuditFilter(r *http.Request, projectID string) (store.AuditFilter, error) {
	q := r.URL.Query()
	f := store.AuditFilter{ProjectID: projectID, Action: q.Get("action"), CAID: q.Get("caId")}
	var err error
	if f.Start, err = queryDate(q.Get("startDate"), "startDate"); err != nil {
		return f, err
	}
	if f.End, err = queryDate(q.Get("endDate"), "endDate"); err != nil {
		return f, err
	}
	if f.Offset, err = queryInt(q.Get("offset"), "offset", 0, 1<<31); err != nil {
		return f, err
	}
	if f.Limit, err = queryInt(q.Get("limit"), "limit", 1, 1000); err != nil {
		return f, err
	}
	if f.CAID != "" {
		if err := checkUUID("caId", f.CAID); err != nil {
			return f, err
		}
	}
	return f, nil
}

func queryDate(v, name string) (*time.Time, error) {
	if v == "" {
		return nil, nil
	}
	t, err := parseDate(v)
	if err != nil {
		return nil, errs.Invalid(name, "invalid_date", "Invalid date format")
	}
	return &t, nil
}

// queryInt parses an optional whole-number query parameter; empty means 0.
func queryInt(v, name string, minValue, maxValue int) (int, error) {
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < minValue || n > maxValue {
		return 0, errs.Invalid(name, "invalid_type",
			name+" must be a whole number from "+strconv.Itoa(minValue)+" to "+strconv.Itoa(maxValue))
	}
	return n, nil
}

func (a *API) listAudit(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	projectID, err := pathUUID(r, "projectId")
	if err != nil {
		return err
	}
	f, err := decodeAuditFilter(r, projectID)
	if err != nil {
		return err
	}
	entries, err := a.ca.ListAudit(r.Context(), p, f)
	if err != nil {
		return err
	}
	out := make([]map[string]any, 0, len(entries))
	for _, e := range entries {
		out = append(out, auditJSON(e))
	}
	writeJSON(w, http.StatusOK, map[string]any{"auditLogs": out})
	return nil
}
