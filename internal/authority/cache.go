package authority

import (
	"container/list"
	"crypto"
	"crypto/x509"
	"fmt"
	"sync"

	"github.com/pkid/pkid/internal/pki"
	"github.com/pkid/pkid/internal/store"
)

// maxCachedCAs bounds each in-memory cache of CA material. A server with
// more CAs in use than this decrypts and parses again on a miss; it never
// serves wrong data.
const maxCachedCAs = 1024

// lru is a bounded map that evicts the least recently used entry. It is
// safe for concurrent use.
type lru[K comparable, V any] struct {
	mu    sync.Mutex
	max   int
	order *list.List // front: most recently used
	items map[K]*list.Element
}

type lruEntry[K comparable, V any] struct {
	key   K
	value V
}

func newLRU[K comparable, V any](max int) *lru[K, V] {
	return &lru[K, V]{max: max, order: list.New(), items: map[K]*list.Element{}}
}

func (c *lru[K, V]) get(key K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if !ok {
		var zero V
		return zero, false
	}
	c.order.MoveToFront(el)
	return el.Value.(*lruEntry[K, V]).value, true
}

func (c *lru[K, V]) put(key K, value V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		el.Value.(*lruEntry[K, V]).value = value
		c.order.MoveToFront(el)
		return
	}
	c.items[key] = c.order.PushFront(&lruEntry[K, V]{key: key, value: value})
	if c.order.Len() > c.max {
		oldest := c.order.Back()
		c.order.Remove(oldest)
		delete(c.items, oldest.Value.(*lruEntry[K, V]).key)
	}
}

func (c *lru[K, V]) remove(key K) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		c.order.Remove(el)
		delete(c.items, key)
	}
}

// caCaches keeps what issuing needs from each CA in memory, so a request
// neither decrypts the CA key nor parses the CA certificate. Every entry
// is keyed or checked by the stored value it was derived from (the sealed
// key, the certificate PEM), so a changed row is never served stale, also
// when another replica changed it.
type caCaches struct {
	// signers maps a CA id to its decrypted key and the sealed key it
	// was opened from.
	signers *lru[string, cachedSigner]
	// certs maps a CA certificate version id to its parsed certificate
	// and the PEM it was parsed from.
	certs *lru[string, cachedCert]
	// crlIDs maps a CA id to the id of its CRL. A CA's CRL keeps its id
	// for the life of the CA, and CA ids are never reused.
	crlIDs *lru[string, string]
}

type cachedSigner struct {
	sealedKey string
	signer    crypto.Signer
}

type cachedCert struct {
	pem  string
	cert *x509.Certificate
}

func newCACaches() *caCaches {
	return &caCaches{
		signers: newLRU[string, cachedSigner](maxCachedCAs),
		certs:   newLRU[string, cachedCert](maxCachedCAs),
		crlIDs:  newLRU[string, string](maxCachedCAs),
	}
}

// cachedSignerOf returns the key of a CA, decrypting it only when the
// cache holds none for this CA and sealed key.
func (s *Service) cachedSignerOf(ca store.CA) (crypto.Signer, error) {
	if e, ok := s.cache.signers.get(ca.ID); ok && e.sealedKey == ca.SealedKey {
		return e.signer, nil
	}
	signer, err := s.signer(ca)
	if err != nil {
		return nil, err
	}
	s.cache.signers.put(ca.ID, cachedSigner{sealedKey: ca.SealedKey, signer: signer})
	return signer, nil
}

// parsedCACert returns the parsed certificate of a CA certificate
// version, parsing its PEM only when the cache holds none for this
// version and PEM.
func (s *Service) parsedCACert(row store.CACert) (*x509.Certificate, error) {
	if e, ok := s.cache.certs.get(row.ID); ok && e.pem == row.Certificate {
		return e.cert, nil
	}
	cert, err := pki.ParseCertificatePEM(row.Certificate)
	if err != nil {
		return nil, fmt.Errorf("parsing CA certificate %s: %w", row.ID, err)
	}
	s.cache.certs.put(row.ID, cachedCert{pem: row.Certificate, cert: cert})
	return cert, nil
}

// forgetCA drops the cached key and CRL id of a CA. It is called after a
// renewal, status change, import or deletion commits. The caches stay
// correct without it, because entries are checked against the stored
// rows; dropping frees the key of a CA that changed. Parsed certificates
// stay: a certificate version never changes once stored.
func (s *Service) forgetCA(caID string) {
	s.cache.signers.remove(caID)
	s.cache.crlIDs.remove(caID)
}
