package api

import (
	"net/http"
	"regexp"

	"github.com/pkid/pkid/internal/auth"
	"github.com/pkid/pkid/internal/authority"
	"github.com/pkid/pkid/internal/errs"
	"github.com/pkid/pkid/internal/pki"
	"github.com/pkid/pkid/internal/store"
)

func (a *API) caRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST "+caPrefix, a.authed(a.createCA))
	mux.HandleFunc("GET "+caPrefix, a.authed(a.listCAs))
	mux.HandleFunc("GET "+caPrefix+"/{caId}", a.authed(withCAID(a.getCA)))
	mux.HandleFunc("POST "+caPrefix+"/{caId}/renew", a.authed(withCAID(a.renewCA)))
	mux.HandleFunc("GET "+caPrefix+"/{caId}/ca-certificates", a.authed(withCAID(a.listCACerts)))
	mux.HandleFunc("GET "+caPrefix+"/{caId}/certificate", a.authed(withCAID(a.getCACert)))
	mux.HandleFunc("GET "+caPrefix+"/{caId}/certificates/{caCertId}/der", a.public(a.getCACertDER))
}

// caJSON renders a CA in the wire format of the reference API.
func caJSON(c store.CA) map[string]any {
	crlURLs := c.CRLURLs
	if crlURLs == nil {
		crlURLs = []string{}
	}
	return map[string]any{
		"id": c.ID, "name": c.Name, "projectId": c.ProjectID, "status": c.Status,
		"type": "internal", "enableDirectIssuance": c.EnableDirectIssuance,
		"createdAt": formatTime(c.CreatedAt), "updatedAt": formatTime(c.UpdatedAt),
		"configuration": map[string]any{
			"type": c.Type, "friendlyName": c.FriendlyName, "commonName": c.CommonName,
			"organization": c.Organization, "ou": c.OU, "country": c.Country,
			"province": c.Province, "locality": c.Locality,
			"notBefore": formatTimePtr(c.NotBefore), "notAfter": formatTimePtr(c.NotAfter),
			"maxPathLength": c.MaxPathLength, "keyAlgorithm": c.KeyAlgorithm, "dn": c.DN,
			"parentCaId": c.ParentCAID, "serialNumber": c.SerialNumber,
			"activeCaCertId":                        c.ActiveCACertID,
			"crlDistributionPointUrls":              crlURLs,
			"disableManagedCrlDistributionPointUrl": c.DisableManagedCRL,
		},
	}
}

// caNamePattern is the slug form CA names take: lowercase letters, digits
// and single hyphens.
var caNamePattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

func keyAlgorithmNames() []string {
	out := make([]string, len(pki.KeyAlgorithms))
	for i, k := range pki.KeyAlgorithms {
		out[i] = string(k)
	}
	return out
}

// decodeNewCA reads the body of POST /ca/internal.
func decodeNewCA(f *fields) (authority.NewCA, error) {
	var in authority.NewCA
	name := f.strLen("name", true, 1, 64)
	if name != nil && !caNamePattern.MatchString(*name) {
		f.add("name", "invalid_string", "name must be a slug: lowercase letters, digits and single hyphens")
	}
	projectID := f.str("projectId", true)
	status := f.enum("status", false, authority.StatusActive, authority.StatusDisabled, authority.StatusPendingCertificate)
	cfg := f.object("configuration", true)
	if cfg != nil {
		in = decodeCAConfiguration(cfg)
	}
	if err := f.err(); err != nil {
		return in, err
	}
	in.Name, in.ProjectID = *name, *projectID
	if status != nil {
		in.RequestedStatus = *status
	}
	return in, nil
}

func decodeCAConfiguration(cfg *fields) authority.NewCA {
	var in authority.NewCA
	caType := cfg.enum("type", true, authority.TypeRoot, authority.TypeIntermediate)
	algo := cfg.enum("keyAlgorithm", false, keyAlgorithmNames()...)
	in.FriendlyName = cfg.nameAttribute("friendlyName", 256)
	in.Subject = pki.Subject{
		CommonName:   cfg.nameAttribute("commonName", maxCommonName),
		Organization: cfg.nameAttribute("organization", maxOrganization),
		OU:           cfg.nameAttribute("ou", maxOU),
		Country:      cfg.country("country"),
		Province:     cfg.nameAttribute("province", maxProvince),
		Locality:     cfg.nameAttribute("locality", maxLocality),
	}
	in.NotBefore = cfg.date("notBefore", false)
	in.NotAfter = cfg.date("notAfter", false)
	if n := cfg.integer("maxPathLength", false, -1, 1<<20); n != nil {
		v := int(*n)
		in.MaxPathLength = &v
	}
	// parentCaId is read for intermediates only: with notAfter it makes the
	// parent sign the new CA at once. dn, serialNumber and activeCaCertId
	// are accepted and ignored, as the reference API does.
	if caType != nil && *caType == authority.TypeIntermediate {
		in.ParentCAID = cfg.uuid("parentCaId")
	}
	// Skip the emptiness check when a name field was already rejected:
	// it was set, just not valid.
	if in.Subject.Empty() && len(*cfg.issues) == 0 {
		cfg.add("commonName", "custom", "At least one of commonName, organization, ou, country, province or locality must be set")
	}
	if caType != nil {
		in.Type = *caType
	}
	in.KeyAlgorithm = pki.DefaultKeyAlgorithm()
	if algo != nil {
		in.KeyAlgorithm = pki.KeyAlgorithm(*algo)
	}
	return in
}

func (a *API) createCA(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	f, err := readBody(r, false)
	if err != nil {
		return err
	}
	in, err := decodeNewCA(f)
	if err != nil {
		return err
	}
	if err := checkUUID("projectId", in.ProjectID); err != nil {
		return err
	}
	ca, err := a.ca.CreateCA(r.Context(), p, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, caJSON(ca))
	return nil
}

func (a *API) listCAs(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	projectID := r.URL.Query().Get("projectId")
	if projectID == "" {
		return errs.Invalid("projectId", "invalid_type", "projectId is required")
	}
	if err := checkUUID("projectId", projectID); err != nil {
		return err
	}
	cas, err := a.ca.ListCAs(r.Context(), p, projectID)
	if err != nil {
		return err
	}
	out := make([]map[string]any, 0, len(cas))
	for _, c := range cas {
		out = append(out, caJSON(c))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) getCA(w http.ResponseWriter, r *http.Request, p auth.Principal, id string) error {
	ca, err := a.ca.GetCA(r.Context(), p, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, caJSON(ca))
	return nil
}

// caCertJSON renders one CA certificate version as renew, certificate and
// ca-certificates return it.
func caCertJSON(c store.CACert) map[string]any {
	return map[string]any{
		"certificate": c.Certificate, "certificateChain": c.Chain,
		"serialNumber": c.SerialNumber, "certId": c.ID,
	}
}

func (a *API) renewCA(w http.ResponseWriter, r *http.Request, p auth.Principal, id string) error {
	f, err := readBody(r, false)
	if err != nil {
		return err
	}
	f.enum("type", true, "existing")
	notAfter := f.date("notAfter", true)
	if err := f.err(); err != nil {
		return err
	}
	row, err := a.ca.RenewCA(r.Context(), p, id, *notAfter)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, caCertJSON(row))
	return nil
}

func (a *API) listCACerts(w http.ResponseWriter, r *http.Request, p auth.Principal, id string) error {
	rows, err := a.ca.ListCACerts(r.Context(), p, id)
	if err != nil {
		return err
	}
	out := make([]map[string]any, 0, len(rows))
	for _, row := range rows {
		m := caCertJSON(row)
		m["version"] = row.Version
		out = append(out, m)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) getCACert(w http.ResponseWriter, r *http.Request, p auth.Principal, id string) error {
	row, err := a.ca.ActiveCertificate(r.Context(), p, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, caCertJSON(row))
	return nil
}

func (a *API) getCACertDER(w http.ResponseWriter, r *http.Request) error {
	caID, err := pathUUID(r, "caId")
	if err != nil {
		return err
	}
	certID, err := pathUUID(r, "caCertId")
	if err != nil {
		return err
	}
	der, err := a.ca.CertificateDER(r.Context(), caID, certID)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/pkix-cert")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(der)
	return nil
}
