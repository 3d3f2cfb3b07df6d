package api

import (
	"net/http"

	"github.com/pkid/pkid/internal/auth"
	"github.com/pkid/pkid/internal/store"
)

func (a *API) autoRenewalRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET "+caPrefix+"/{caId}/auto-renewal", a.authed(withCAID(a.getAutoRenewal)))
	mux.HandleFunc("PATCH "+caPrefix+"/{caId}/auto-renewal", a.authed(withCAID(a.patchAutoRenewal)))
}

func autoRenewalJSON(ar store.AutoRenewal) map[string]any {
	return map[string]any{
		"autoRenewalEnabled":          ar.Enabled,
		"autoRenewalDaysBeforeExpiry": ar.DaysBeforeExpiry,
		"lastRenewalStatus":           ar.LastStatus,
		"lastRenewalMessage":          ar.LastMessage,
		"lastRenewalAt":               formatTimePtr(ar.LastAt),
	}
}

func (a *API) getAutoRenewal(w http.ResponseWriter, r *http.Request, p auth.Principal, id string) error {
	ar, err := a.ca.AutoRenewal(r.Context(), p, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, autoRenewalJSON(ar))
	return nil
}

func (a *API) patchAutoRenewal(w http.ResponseWriter, r *http.Request, p auth.Principal, id string) error {
	f, err := readBody(r, false)
	if err != nil {
		return err
	}
	enabled := f.boolean("autoRenewalEnabled")
	days64 := f.integer("autoRenewalDaysBeforeExpiry", false, 1, 365)
	if err := f.err(); err != nil {
		return err
	}
	var days *int
	if days64 != nil {
		d := int(*days64)
		days = &d
	}
	ar, err := a.ca.UpdateAutoRenewal(r.Context(), p, id, enabled, days)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, autoRenewalJSON(ar))
	return nil
}
