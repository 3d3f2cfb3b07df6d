package api

import (
	"net/http"

	"github.com/pkid/pkid/internal/auth"
	"github.com/pkid/pkid/internal/authority"
	"github.com/pkid/pkid/internal/pki"
	"github.com/pkid/pkid/internal/store"
)

const (
	certPrefix       = "/api/v1/cert-manager/certificates"
	legacyCertPrefix = "/api/v1/pki/certificates"
)

// certificateRoutes registers the end-entity certificate routes. Under
// the legacy prefix the two issuing routes are registered as patterns of
// their own rather than rewritten, because every other legacy route is
// keyed by serial number and not by id.
func (a *API) certificateRoutes(mux *http.ServeMux) {
	for _, prefix := range []string{certPrefix, legacyCertPrefix} {
		mux.HandleFunc("POST "+prefix+"/issue-certificate", a.authed(a.issueCertificate("")))
		mux.HandleFunc("POST "+prefix+"/sign-certificate", a.authed(a.signCertificate("")))
	}
	mux.HandleFunc("POST "+caPrefix+"/{caId}/issue-certificate", a.authed(a.issueCertificate("caId")))
	mux.HandleFunc("POST "+caPrefix+"/{caId}/sign-certificate", a.authed(a.signCertificate("caId")))

	byID := func(r *http.Request) (authority.CertificateKey, error) {
		id, err := pathUUID(r, "certificateId")
		return authority.CertificateKey{ID: id}, err
	}
	a.certificateKeyRoutes(mux, certPrefix+"/{certificateId}", byID)
	a.certificateKeyRoutes(mux, legacyCertPrefix+"/{serialNumber}", pathSerial)
	a.crlRoutes(mux)
}

// certificateKeyRoutes registers the routes that act on one certificate,
// found by the key that keyOf reads from the path.
func (a *API) certificateKeyRoutes(mux *http.ServeMux, base string, keyOf certificateKeyFunc) {
	mux.HandleFunc("GET "+base, a.authed(a.withCertificateKey(keyOf, a.getCertificate)))
	mux.HandleFunc("GET "+base+"/certificate", a.authed(a.withCertificateKey(keyOf, a.getCertificateBody)))
	mux.HandleFunc("GET "+base+"/bundle", a.authed(a.withCertificateKey(keyOf, a.getCertificateBundle)))
	mux.HandleFunc("POST "+base+"/revoke", a.authed(a.withCertificateKey(keyOf, a.revokeCertificate)))
	mux.HandleFunc("DELETE "+base, a.authed(a.withCertificateKey(keyOf, a.deleteCertificate)))
}

type certificateKeyFunc func(*http.Request) (authority.CertificateKey, error)

type certificateHandler func(http.ResponseWriter, *http.Request, auth.Principal, authority.CertificateKey) error

func (a *API) withCertificateKey(keyOf certificateKeyFunc, h certificateHandler) func(http.ResponseWriter, *http.Request, auth.Principal) error {
	return func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		key, err := keyOf(r)
		if err != nil {
			return err
		}
		return h(w, r, p, key)
	}
}

// certificateJSON renders the certificate record as GET and DELETE
// return it. revocationReason is the CRLReason code of RFC 5280 §5.3.1.
func certificateJSON(c store.Certificate) map[string]any {
	var reason any
	if c.RevocationReason != nil {
		if code, ok := pki.ReasonCode(*c.RevocationReason); ok {
			reason = code
		}
	}
	return map[string]any{
		"id": c.ID, "caId": c.CAID, "caCertId": c.CACertID, "status": c.Status,
		"serialNumber": c.SerialNumber, "friendlyName": c.FriendlyName,
		"commonName": c.CommonName, "altNames": c.AltNames,
		"notBefore": formatTime(c.NotBefore), "notAfter": formatTime(c.NotAfter),
		"revokedAt": formatTimePtr(c.RevokedAt), "revocationReason": reason,
		"keyUsages": nonNil(c.KeyUsages), "extendedKeyUsages": nonNil(c.ExtKeyUsages),
		"createdAt": formatTime(c.CreatedAt), "updatedAt": formatTime(c.UpdatedAt),
	}
}

func nonNil(list []string) []string {
	if list == nil {
		return []string{}
	}
	return list
}

func (a *API) issueCertificate(caPathParam string) func(http.ResponseWriter, *http.Request, auth.Principal) error {
	return func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		req, _, err := decodeCertificateRequest(r, caPathParam, false)
		if err != nil {
			return err
		}
		out, err := a.ca.IssueCertificate(r.Context(), p, req)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, map[string]any{
			"certificate": out.Record.Certificate, "issuingCaCertificate": out.IssuingCACertificate,
			"certificateChain": out.Record.Chain, "privateKey": out.PrivateKeyPEM,
			"serialNumber": out.Record.SerialNumber, "certificateId": out.Record.ID,
		})
		return nil
	}
}

func (a *API) signCertificate(caPathParam string) func(http.ResponseWriter, *http.Request, auth.Principal) error {
	return func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		req, csr, err := decodeCertificateRequest(r, caPathParam, true)
		if err != nil {
			return err
		}
		out, err := a.ca.SignCertificate(r.Context(), p, req, csr)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, map[string]any{
			"certificate": out.Record.Certificate, "issuingCaCertificate": out.IssuingCACertificate,
			"certificateChain": out.Record.Chain, "serialNumber": out.Record.SerialNumber,
			"certificateId": out.Record.ID,
		})
		return nil
	}
}

func (a *API) getCertificate(w http.ResponseWriter, r *http.Request, p auth.Principal, key authority.CertificateKey) error {
	c, err := a.ca.GetCertificate(r.Context(), p, key)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"certificate": certificateJSON(c)})
	return nil
}

func (a *API) getCertificateBody(w http.ResponseWriter, r *http.Request, p auth.Principal, key authority.CertificateKey) error {
	c, err := a.ca.GetCertificate(r.Context(), p, key)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"certificate": c.Certificate, "certificateChain": c.Chain, "serialNumber": c.SerialNumber,
	})
	return nil
}

func (a *API) getCertificateBundle(w http.ResponseWriter, r *http.Request, p auth.Principal, key authority.CertificateKey) error {
	c, keyPEM, err := a.ca.CertificateBundle(r.Context(), p, key)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"certificate": c.Certificate, "certificateChain": c.Chain, "serialNumber": c.SerialNumber,
		"privateKey": keyPEM,
	})
	return nil
}

func (a *API) revokeCertificate(w http.ResponseWriter, r *http.Request, p auth.Principal, key authority.CertificateKey) error {
	f, err := readBody(r, false)
	if err != nil {
		return err
	}
	reason := f.enum("revocationReason", true, pki.RevocationReasons...)
	if err := f.err(); err != nil {
		return err
	}
	c, err := a.ca.RevokeCertificate(r.Context(), p, key, *reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"message": "Successfully revoked certificate", "serialNumber": c.SerialNumber,
		"revokedAt": formatTimePtr(c.RevokedAt),
	})
	return nil
}

func (a *API) deleteCertificate(w http.ResponseWriter, r *http.Request, p auth.Principal, key authority.CertificateKey) error {
	c, err := a.ca.DeleteCertificate(r.Context(), p, key)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"certificate": certificateJSON(c)})
	return nil
}
