package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/pkid/pkid/internal/authority"
	"github.com/pkid/pkid/internal/errs"
	"github.com/pkid/pkid/internal/pki"
)

// decodeCertificateRequest reads the body of issue-certificate or, with
// withCSR, sign-certificate. caPathParam names the path parameter that
// holds the CA id; empty means the body's caId.
func decodeCertificateRequest(r *http.Request, caPathParam string, withCSR bool) (authority.CertificateRequest, string, error) {
	var req authority.CertificateRequest
	caID := ""
	if caPathParam != "" {
		id, err := pathUUID(r, caPathParam)
		if err != nil {
			return req, "", err
		}
		caID = id
	}
	f, err := readBody(r, false)
	if err != nil {
		return req, "", err
	}
	if caPathParam == "" {
		if id := f.str("caId", true); id != nil {
			if checkUUID("caId", *id) != nil {
				f.add("caId", "invalid_string", fmt.Sprintf("caId must be a UUID, got %q", *id))
			}
			caID = strings.ToLower(*id)
		}
	}
	req.CAID = caID
	decodeCertificateFields(f, &req, withCSR)
	csr := ""
	if withCSR {
		if s := f.strLen("csr", true, 1, 64<<10); s != nil {
			csr = *s
		}
	}
	return req, csr, f.err()
}

// decodeCertificateFields reads the fields issue and sign share.
func decodeCertificateFields(f *fields, req *authority.CertificateRequest, withCSR bool) {
	if s := f.strLen("friendlyName", false, 0, 256); s != nil {
		req.FriendlyName = *s
	}
	// An invalid commonName gets its own issue; only a missing or empty
	// one makes altNames necessary.
	cnGiven := f.get("commonName") != nil && string(f.get("commonName")) != `""`
	if f.get("commonName") != nil {
		cn := f.nameAttribute("commonName", maxCommonName)
		req.CommonName = &cn
	}
	if s := f.str("altNames", false); s != nil {
		names, err := pki.ParseAltNames(*s)
		if err != nil {
			f.add("altNames", "invalid_string", "altNames: "+err.Error())
		}
		req.AltNames = names
	}
	// sign-certificate may take every name from the CSR; issue-certificate
	// has nothing else to name the subject with.
	if !withCSR && !cnGiven && req.AltNames.Empty() {
		f.add("commonName", "custom", "commonName is required unless altNames is set")
	}
	if s := f.str("ttl", false); s != nil {
		ttl, err := parseTTL(*s)
		if err != nil {
			f.add("ttl", "invalid_string", err.Error())
		}
		req.TTL = ttl
	}
	req.NotBefore = f.date("notBefore", false)
	req.NotAfter = f.date("notAfter", false)
	if f.get("ttl") != nil && f.get("notAfter") != nil {
		f.add("notAfter", "custom", "Set either ttl or notAfter, not both")
	}
	req.KeyUsages = f.enumList("keyUsages", pki.KeyUsageNames)
	req.ExtKeyUsages = f.enumList("extendedKeyUsages", pki.ExtKeyUsageNames)
}

// enumList returns an array field whose items must each be one of
// allowed, without duplicates; nil when the field is absent or null.
func (f *fields) enumList(name string, allowed []string) []string {
	v := f.get(name)
	if v == nil {
		return nil
	}
	var items []string
	if err := json.Unmarshal(v, &items); err != nil {
		f.add(name, "invalid_type", fmt.Sprintf("%s must be an array of strings, got %s", name, jsonKind(v)))
		return nil
	}
	out := []string{}
	seen := map[string]bool{}
	for _, item := range items {
		if !contains(allowed, item) {
			f.add(name, "invalid_enum_value", fmt.Sprintf("%s items must be one of %s, got %q",
				name, strings.Join(allowed, ", "), item))
			return nil
		}
		if !seen[item] {
			seen[item] = true
			out = append(out, item)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, item := range list {
		if item == s {
			return true
		}
	}
	return false
}

// ttlPattern is a whole number followed by one unit: s, m, h, d, w or y.
var ttlPattern = regexp.MustCompile(`^([0-9]{1,9})([smhdwy])$`)

var ttlUnits = map[string]time.Duration{
	"s": time.Second, "m": time.Minute, "h": time.Hour,
	"d": 24 * time.Hour, "w": 7 * 24 * time.Hour, "y": 365 * 24 * time.Hour,
}

// maxTTL keeps now+ttl within the range X.509 can encode and
// time.Duration can hold.
const maxTTL = 100 * 365 * 24 * time.Hour

// parseTTL reads a duration such as 90d, 12h, 30m or 3600s.
func parseTTL(s string) (time.Duration, error) {
	m := ttlPattern.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return 0, fmt.Errorf("ttl must be a whole number with a unit (s, m, h, d, w or y), such as 90d, 12h, 30m or 3600s; got %q", s)
	}
	n, _ := strconv.ParseInt(m[1], 10, 64)
	if n == 0 {
		return 0, fmt.Errorf("ttl must be greater than zero, got %q", s)
	}
	unit := ttlUnits[m[2]]
	if n > int64(maxTTL/unit) {
		return 0, fmt.Errorf("ttl must be at most 100 years, got %q", s)
	}
	return time.Duration(n) * unit, nil
}

// serialPathPattern is a serial number as pkid reports it: lowercase or
// uppercase hex, at most 20 octets.
var serialPathPattern = regexp.MustCompile(`^[0-9a-fA-F]{1,40}$`)

// pathSerial reads the serialNumber path parameter of the legacy routes.
func pathSerial(r *http.Request) (authority.CertificateKey, error) {
	v := r.PathValue("serialNumber")
	if !serialPathPattern.MatchString(v) {
		return authority.CertificateKey{}, errs.Invalid("serialNumber", "invalid_string",
			fmt.Sprintf("serialNumber must be hexadecimal of at most 40 digits, got %q", v))
	}
	return authority.CertificateKey{Serial: strings.ToLower(v)}, nil
}
