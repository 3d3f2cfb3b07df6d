package loadtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/pkid/pkid/internal/pki"
)

// csrPoolSize is how many distinct CSRs a sign run cycles through. The
// server signs the same CSR again with a new serial, so a pool generated
// before the timed part is enough; RSA key generation is too slow to make
// one CSR per request.
const csrPoolSize = 64

// requests holds the bodies of a run, prepared before the timed part.
type requests struct {
	op     string
	caID   string
	bodies [][]byte
	// csrDER is one CSR of the pool, for the in-process rate.
	csrDER []byte
	// renewBase is the CA's notAfter when the run started; renewal n asks
	// for renewBase plus n seconds, so each is later than the one before.
	renewBase time.Time
	renewN    atomic.Int64
}

const (
	certPath = "/api/v1/cert-manager/certificates"
	caPath   = "/api/v1/cert-manager/ca/internal/"
)

// prepare builds the request bodies: CSRs for sign, names for issue, and
// the base notAfter for renew.
func (t *target) prepare(cfg Config) (*requests, error) {
	r := &requests{op: cfg.Op, caID: cfg.CAID}
	if na := t.ca.Configuration.NotAfter; na != nil {
		base, err := time.Parse(time.RFC3339, *na)
		if err != nil {
			return nil, fmt.Errorf("reading notAfter %q of CA %s: %w", *na, cfg.CAID, err)
		}
		r.renewBase = base
	}
	if (cfg.Op == OpRenew || cfg.RenewEvery > 0) && r.renewBase.IsZero() {
		return nil, fmt.Errorf("CA %s has no certificate to renew", cfg.CAID)
	}
	alg := pki.KeyAlgorithm(cfg.LeafKeyAlgorithm)
	if !alg.Valid() {
		return nil, fmt.Errorf("invalid leaf key algorithm %q: use one of %v", cfg.LeafKeyAlgorithm, pki.KeyAlgorithms)
	}
	// The in-process rate needs a CSR even when the run sends none.
	pool := 1
	if cfg.Op == OpSign {
		pool = csrPoolSize
	}
	for i := 0; i < pool; i++ {
		csr, err := newCSR(alg, fmt.Sprintf("bench-%d.pkid.test", i))
		if err != nil {
			return nil, err
		}
		if i == 0 {
			r.csrDER = csr
		}
		if cfg.Op != OpSign {
			break
		}
		body, err := json.Marshal(map[string]string{
			"caId": cfg.CAID, "csr": string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: csr})),
			"ttl": "1h",
		})
		if err != nil {
			return nil, err
		}
		r.bodies = append(r.bodies, body)
	}
	if cfg.Op == OpIssue {
		body, err := json.Marshal(map[string]string{
			"caId": cfg.CAID, "commonName": "bench.pkid.test", "ttl": "1h",
		})
		if err != nil {
			return nil, err
		}
		r.bodies = [][]byte{body}
	}
	return r, nil
}

// newCSR returns the DER of a CSR for a new key of alg, with name as
// common name and DNS name.
func newCSR(alg pki.KeyAlgorithm, name string) ([]byte, error) {
	key, err := pki.GenerateKey(rand.Reader, alg)
	if err != nil {
		return nil, fmt.Errorf("generating CSR key: %w", err)
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject: pkix.Name{CommonName: name}, DNSNames: []string{name},
	}, key)
	if err != nil {
		return nil, fmt.Errorf("creating CSR: %w", err)
	}
	return der, nil
}

// request returns the method, path and body of request i.
func (r *requests) request(i int64) (string, string, []byte) {
	switch r.op {
	case OpSign:
		return http.MethodPost, certPath + "/sign-certificate", r.bodies[i%int64(len(r.bodies))]
	case OpIssue:
		return http.MethodPost, certPath + "/issue-certificate", r.bodies[0]
	}
	return r.renewal()
}

// renewal returns the next renewal request of the CA.
func (r *requests) renewal() (string, string, []byte) {
	n := r.renewN.Add(1)
	notAfter := r.renewBase.Add(time.Duration(n) * time.Second).UTC().Format(time.RFC3339)
	body, _ := json.Marshal(map[string]string{"type": "existing", "notAfter": notAfter})
	return http.MethodPost, caPath + url.PathEscape(r.caID) + "/renew", body
}

// statusError is a response other than 200.
type statusError struct {
	status int
	body   string
}

func (e *statusError) Error() string {
	return fmt.Sprintf("HTTP %d: %s", e.status, e.body)
}

// send runs one request and returns the serial number of the response.
func (t *target) send(ctx context.Context, method, path string, body []byte) (string, error) {
	req, err := http.NewRequestWithContext(ctx, method, t.server+path, bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+t.token)
	resp, err := t.http.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", fmt.Errorf("reading response: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", &statusError{status: resp.StatusCode, body: string(bytes.TrimSpace(data))}
	}
	var out struct {
		SerialNumber string `json:"serialNumber"`
	}
	if err := json.Unmarshal(data, &out); err != nil || out.SerialNumber == "" {
		return "", fmt.Errorf("response without serialNumber: %.200s", data)
	}
	return out.SerialNumber, nil
}

// isConnectionError reports whether err got no HTTP response.
func isConnectionError(err error) bool {
	var se *statusError
	if errors.As(err, &se) {
		return false
	}
	var ne net.Error
	var ue *url.Error
	return errors.As(err, &ne) || errors.As(err, &ue)
}

// renewPeriodically renews the CA every interval until ctx ends, counting
// renewals and their errors apart from the measured requests.
func (t *target) renewPeriodically(ctx context.Context, interval time.Duration, reqs *requests, m *measurements) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		method, path, body := reqs.renewal()
		_, err := t.send(ctx, method, path, body)
		if ctx.Err() != nil {
			return
		}
		m.addRenewal(err)
	}
}
