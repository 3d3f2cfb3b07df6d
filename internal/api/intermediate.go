package api

import (
	"net/http"
	"strings"

	"github.com/pkid/pkid/internal/auth"
	"github.com/pkid/pkid/internal/authority"
)

// intermediateRoutes registers the routes that build and manage CA
// hierarchies: CSR, signing, import, update and delete.
func (a *API) intermediateRoutes(mux *http.ServeMux) {
	mux.HandleFunc("PATCH "+caPrefix+"/{caId}", a.authed(withCAID(a.updateCA)))
	mux.HandleFunc("DELETE "+caPrefix+"/{caId}", a.authed(withCAID(a.deleteCA)))
	mux.HandleFunc("GET "+caPrefix+"/{caId}/csr", a.authed(withCAID(a.getCSR)))
	mux.HandleFunc("POST "+caPrefix+"/{caId}/sign-intermediate", a.authed(withCAID(a.signIntermediate)))
	mux.HandleFunc("POST "+caPrefix+"/{caId}/import-certificate", a.authed(withCAID(a.importCertificate)))
}

// uuid returns an optional field that must be a UUID, lowercased.
func (f *fields) uuid(name string) *string {
	s := f.str(name, false)
	if s == nil {
		return nil
	}
	if err := checkUUID(name, *s); err != nil {
		f.add(name, "invalid_string", err.Error())
		return nil
	}
	v := strings.ToLower(*s)
	return &v
}

func (a *API) updateCA(w http.ResponseWriter, r *http.Request, p auth.Principal, id string) error {
	f, err := readBody(r, false)
	if err != nil {
		return err
	}
	var in authority.CAUpdate
	in.Status = f.enum("status", false, authority.StatusActive, authority.StatusDisabled)
	in.Name = f.strLen("name", false, 1, 64)
	if in.Name != nil && !caNamePattern.MatchString(*in.Name) {
		f.add("name", "invalid_string", "name must be a slug: lowercase letters, digits and single hyphens")
	}
	if err := f.err(); err != nil {
		return err
	}
	ca, err := a.ca.UpdateCA(r.Context(), p, id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, caJSON(ca))
	return nil
}

func (a *API) deleteCA(w http.ResponseWriter, r *http.Request, p auth.Principal, id string) error {
	ca, err := a.ca.DeleteCA(r.Context(), p, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, caJSON(ca))
	return nil
}

func (a *API) getCSR(w http.ResponseWriter, r *http.Request, p auth.Principal, id string) error {
	csr, err := a.ca.CSR(r.Context(), p, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"csr": csr})
	return nil
}

func (a *API) signIntermediate(w http.ResponseWriter, r *http.Request, p auth.Principal, id string) error {
	f, err := readBody(r, false)
	if err != nil {
		return err
	}
	csr := f.str("csr", true)
	notAfter := f.date("notAfter", true)
	notBefore := f.date("notBefore", false)
	maxPathLength := -1
	if n := f.integer("maxPathLength", false, -1, 1<<20); n != nil {
		maxPathLength = int(*n)
	}
	if err := f.err(); err != nil {
		return err
	}
	out, err := a.ca.SignIntermediate(r.Context(), p, id, *csr, notBefore, *notAfter, &maxPathLength)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{
		"certificate": out.Certificate, "certificateChain": out.CertificateChain,
		"issuingCaCertificate": out.IssuingCertificate, "serialNumber": out.SerialNumber,
	})
	return nil
}

func (a *API) importCertificate(w http.ResponseWriter, r *http.Request, p auth.Principal, id string) error {
	f, err := readBody(r, false)
	if err != nil {
		return err
	}
	cert := f.str("certificate", true)
	chain := f.str("certificateChain", true)
	if err := f.err(); err != nil {
		return err
	}
	if err := a.ca.ImportCertificate(r.Context(), p, id, *cert, *chain); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{
		"message": "Successfully imported certificate to CA", "caId": id,
	})
	return nil
}
