package api

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pkid/pkid/internal/authority"
	"github.com/pkid/pkid/internal/errs"
	"github.com/pkid/pkid/internal/pki"
)

// The fuzz targets below run in CI through scripts/fuzz.sh. Interesting
// inputs they found are kept under testdata/fuzz/<target>.

// FuzzParseDate checks that an accepted date is UTC, inside the years
// X.509 can encode, and parses back to itself from both its RFC 3339
// form and the millisecond form the API responds with.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{
		"2030-01-01", "2030-01-01T00:00:00Z", "2030-01-01T00:00:00.000Z", "2030-01-01T02:00:00+02:00",
		"2030-01-01T00:00Z", "1950-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00",
		"10000-01-01", "1949-12-31", "2030-02-30", "", "0000-01-01T00:00:00Z",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseDate(s)
		if err != nil {
			return
		}
		if got.Location() != time.UTC {
			t.Fatalf("parseDate(%q) location %v, want UTC", s, got.Location())
		}
		if got.Year() < minYear || got.Year() > maxYear {
			t.Fatalf("parseDate(%q) = %v, outside %d..%d", s, got, minYear, maxYear)
		}
		again, err := parseDate(got.Format(time.RFC3339Nano))
		if err != nil || !again.Equal(got) {
			t.Fatalf("parseDate(%q) = %v does not round-trip: %v, %v", s, got, again, err)
		}
		ms, err := parseDate(formatTime(got))
		if err != nil || !ms.Equal(got.Truncate(time.Millisecond)) {
			t.Fatalf("formatTime(%v) = %q parses to %v, %v", got, formatTime(got), ms, err)
		}
	})
}

// FuzzParseTTL checks that an accepted ttl is positive, at most maxTTL,
// and equal to its number times its unit.
func FuzzParseTTL(f *testing.F) {
	for _, s := range []string{"90d", "12h", "3600s", "30m", "2w", "1y", "100y", "101y", "0s",
		" 5d ", "999999999s", "1d1h", "-1d", "1.5h", "5"} {
		f.Add(s)
	}
	ttlForm := regexp.MustCompile(`^([0-9]+)([smhdwy])$`)
	f.Fuzz(func(t *testing.T, s string) {
		d, err := parseTTL(s)
		if err != nil {
			if d != 0 {
				t.Fatalf("parseTTL(%q) returned %v with error %v", s, d, err)
			}
			return
		}
		if d <= 0 || d > maxTTL {
			t.Fatalf("parseTTL(%q) = %v, outside (0, %v]", s, d, maxTTL)
		}
		m := ttlForm.FindStringSubmatch(strings.TrimSpace(s))
		if m == nil {
			t.Fatalf("parseTTL accepted %q, which is not a number and a unit", s)
		}
		n, _ := strconv.ParseInt(m[1], 10, 64)
		if time.Duration(n)*ttlUnits[m[2]] != d {
			t.Fatalf("parseTTL(%q) = %v, want %d × %v", s, d, n, ttlUnits[m[2]])
		}
	})
}

// newFuzzRequest builds a POST request with body and a Content-Type, its
// body limited as instrument limits it.
func newFuzzRequest(body []byte, contentType string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/fuzz", bytes.NewReader(body))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	r.Body = http.MaxBytesReader(httptest.NewRecorder(), r.Body, DefaultMaxBodyBytes)
	return r
}

// requireClientError fails unless err is an *errs.Error, the only kind
// of error the API turns into a 4xx instead of a 500.
func requireClientError(t *testing.T, err error) *errs.Error {
	t.Helper()
	e, ok := errs.As(err)
	if !ok {
		t.Fatalf("error %T %q is not an *errs.Error, so the client would get a 500", err, err)
	}
	if e.Kind == errs.Validation {
		if len(e.Issues) == 0 {
			t.Fatalf("validation error %q has no issues", e.Message)
		}
		for _, is := range e.Issues {
			if len(is.Path) == 0 || is.Message == "" || is.Code == "" {
				t.Fatalf("validation issue %+v lacks a path, message or code", is)
			}
		}
	}
	return e
}

// FuzzReadBody decodes a body as JSON or a form, then reads every key
// through each fields helper: nothing may panic, every error must be
// a client error, and each accepted value must satisfy its helper's
// bounds.
func FuzzReadBody(f *testing.F) {
	f.Add([]byte(`{"name":"root-ca","n":5,"b":true,"d":"2030-01-01","o":{"x":[1]},"l":["a"]}`), "application/json")
	f.Add([]byte(`{"name":null,"n":1e400,"n2":-1.5,"s":"\u0000"}`), "application/json")
	f.Add([]byte(`null`), "")
	f.Add([]byte(`[[[[[]]]]]`), "application/json")
	f.Add([]byte("{\"a\":\"\xff\"}"), "application/json")
	f.Add([]byte(`clientId=a&clientSecret=b&clientSecret=c`), "application/x-www-form-urlencoded")
	f.Add([]byte(`%zz=1`), "application/x-www-form-urlencoded")
	f.Add([]byte(`{}`), "text/plain")
	f.Add([]byte(`{}`), "application/json; charset=\"")
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		fl, err := readBody(newFuzzRequest(body, contentType), true)
		if err != nil {
			requireClientError(t, err)
			return
		}
		readEveryField(t, fl, 0)
		if err := fl.err(); err != nil {
			requireClientError(t, err)
		}
	})
}

// readEveryField reads each key of fl with every helper, recursing into
// objects a few levels deep.
func readEveryField(t *testing.T, fl *fields, depth int) {
	for name := range fl.raw {
		fl.str(name, true)
		if s := fl.strLen(name, false, 1, 64); s != nil {
			if n := len([]rune(*s)); n < 1 || n > 64 {
				t.Fatalf("strLen(%q) accepted %d characters", name, n)
			}
		}
		if s := fl.enum(name, false, "a", "b"); s != nil && *s != "a" && *s != "b" {
			t.Fatalf("enum(%q) accepted %q", name, *s)
		}
		if n := fl.integer(name, false, -1, 100); n != nil && (*n < -1 || *n > 100) {
			t.Fatalf("integer(%q) accepted %d", name, *n)
		}
		fl.boolean(name)
		if d := fl.date(name, false); d != nil && (d.Year() < minYear || d.Year() > maxYear) {
			t.Fatalf("date(%q) accepted %v", name, d)
		}
		if id := fl.uuid(name); id != nil && checkUUID(name, *id) != nil {
			t.Fatalf("uuid(%q) accepted %q", name, *id)
		}
		fl.enumList(name, []string{"a", "b"})
		if sub := fl.object(name, false); sub != nil && depth < 3 {
			readEveryField(t, sub, depth+1)
		}
	}
}

// FuzzDecodeNewCA checks that a CA body decodeNewCA accepts has a slug
// name, a type, a supported key algorithm, a subject and valid limits.
func FuzzDecodeNewCA(f *testing.F) {
	f.Add([]byte(`{"name":"root-ca","projectId":"6f7c4b8e-2d39-4b7e-9a43-1c2d3e4f5a6b","status":"active",` +
		`"configuration":{"type":"root","keyAlgorithm":"EC_prime256v1","commonName":"Root","notAfter":"2035-01-01"}}`))
	f.Add([]byte(`{"name":"int","projectId":"p","configuration":{"type":"intermediate","organization":"o",` +
		`"maxPathLength":-1,"parentCaId":"6F7C4B8E-2D39-4B7E-9A43-1C2D3E4F5A6B"}}`))
	f.Add([]byte(`{"name":"x","projectId":"p","configuration":{"type":"root","commonName":"c","maxPathLength":-2}}`))
	f.Add([]byte(`{"name":"Bad Name","projectId":1,"configuration":[]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		fl, err := readBody(newFuzzRequest(body, "application/json"), false)
		if err != nil {
			requireClientError(t, err)
			return
		}
		in, err := decodeNewCA(fl)
		if err != nil {
			requireClientError(t, err)
			return
		}
		if !caNamePattern.MatchString(in.Name) || len(in.Name) > 64 {
			t.Fatalf("accepted name %q", in.Name)
		}
		if in.Type != authority.TypeRoot && in.Type != authority.TypeIntermediate {
			t.Fatalf("accepted type %q", in.Type)
		}
		if !contains(keyAlgorithmNames(), string(in.KeyAlgorithm)) {
			t.Fatalf("accepted key algorithm %q", in.KeyAlgorithm)
		}
		if in.Subject.Empty() {
			t.Fatal("accepted an empty subject")
		}
		if in.MaxPathLength != nil && *in.MaxPathLength < -1 {
			t.Fatalf("accepted maxPathLength %d", *in.MaxPathLength)
		}
		if in.ParentCAID != nil && checkUUID("parentCaId", *in.ParentCAID) != nil {
			t.Fatalf("accepted parentCaId %q", *in.ParentCAID)
		}
	})
}

// FuzzDecodeCertificateRequest checks the body of issue-certificate and
// sign-certificate: an accepted request names its CA by a lowercase
// UUID, has at most pki.MaxAltNames names, a ttl within bounds, not both
// ttl and notAfter, and only known key usages.
func FuzzDecodeCertificateRequest(f *testing.F) {
	f.Add([]byte(`{"caId":"6f7c4b8e-2d39-4b7e-9a43-1c2d3e4f5a6b","commonName":"a.example","ttl":"90d",`+
		`"altNames":"a.example,10.0.0.1,ops@example.com,spiffe://example/x","keyUsages":["digital_signature"],`+
		`"extendedKeyUsages":["server_auth"]}`), false)
	f.Add([]byte(`{"caId":"6F7C4B8E-2D39-4B7E-9A43-1C2D3E4F5A6B","csr":"-----BEGIN CERTIFICATE REQUEST-----",`+
		`"notBefore":"2030-01-01","notAfter":"2031-01-01"}`), true)
	f.Add([]byte(`{"caId":"x","ttl":"1d","notAfter":"2031-01-01","altNames":",,,*.a.example,a..b"}`), false)
	f.Fuzz(func(t *testing.T, body []byte, withCSR bool) {
		r := newFuzzRequest(body, "application/json")
		req, csr, err := decodeCertificateRequest(r, "", withCSR)
		if err != nil {
			requireClientError(t, err)
			return
		}
		if checkUUID("caId", req.CAID) != nil || req.CAID != strings.ToLower(req.CAID) {
			t.Fatalf("accepted caId %q", req.CAID)
		}
		if n := req.AltNames.Count(); n > pki.MaxAltNames {
			t.Fatalf("accepted %d altNames", n)
		}
		if req.TTL < 0 || req.TTL > maxTTL {
			t.Fatalf("accepted ttl %v", req.TTL)
		}
		if req.TTL != 0 && req.NotAfter != nil {
			t.Fatal("accepted both ttl and notAfter")
		}
		for _, u := range req.KeyUsages {
			if !contains(pki.KeyUsageNames, u) {
				t.Fatalf("accepted key usage %q", u)
			}
		}
		if withCSR && csr == "" {
			t.Fatal("sign-certificate body accepted without a csr")
		}
	})
}
