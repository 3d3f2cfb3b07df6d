package api

import (
	"net/http"

	"github.com/pkid/pkid/internal/auth"
	"github.com/pkid/pkid/internal/pki"
)

// crlRoutes registers the CRL list of a CA and the public DER CRL.
func (a *API) crlRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET "+caPrefix+"/{caId}/crls", a.authed(withCAID(a.listCRLs)))
	mux.HandleFunc("GET /api/v1/cert-manager/crl/{crlId}/der", a.public(a.getCRLDER))
	mux.HandleFunc("GET /api/v1/pki/crl/{crlId}/der", a.public(a.getCRLDER))
}

func (a *API) listCRLs(w http.ResponseWriter, r *http.Request, p auth.Principal, id string) error {
	crls, err := a.ca.ListCRLs(r.Context(), p, id)
	if err != nil {
		return err
	}
	out := make([]map[string]any, 0, len(crls))
	for _, c := range crls {
		out = append(out, map[string]any{"id": c.ID, "crl": pki.CRLPEM(c.DER)})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) getCRLDER(w http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r, "crlId")
	if err != nil {
		return err
	}
	der, err := a.ca.CRLDER(r.Context(), id)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/pkix-crl")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(der)
	return nil
}
