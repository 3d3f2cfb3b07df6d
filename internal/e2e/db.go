package e2e

import (
	"crypto"
	"encoding/base64"
	"strconv"
	"strings"
	"testing"

	"github.com/pkid/pkid/internal/keystore"
	"github.com/pkid/pkid/internal/pki"
)

// Query rebinds ? placeholders for the server's dialect and scans one row.
func (s *Server) QueryRow(t testing.TB, query string, args []any, dest ...any) {
	t.Helper()
	db := s.Srv.DB()
	if db.Dialect() == "postgres" {
		var b strings.Builder
		n := 0
		for _, r := range query {
			if r == '?' {
				n++
				b.WriteString("$" + strconv.Itoa(n))
				continue
			}
			b.WriteRune(r)
		}
		query = b.String()
	}
	if err := db.SQL().QueryRow(query, args...).Scan(dest...); err != nil {
		t.Fatalf("query %q: %v", query, err)
	}
}

// CAKey reads a CA's sealed private key from the database and opens it
// with the server's root key, as an attacker holding both would.
func (s *Server) CAKey(t testing.TB, caID string) crypto.Signer {
	t.Helper()
	var sealed string
	s.QueryRow(t, `SELECT sealed_key FROM cas WHERE id = ?`, []any{caID}, &sealed)
	rootKey, err := base64.StdEncoding.DecodeString(s.RootKey)
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := keystore.NewSealer(rootKey)
	if err != nil {
		t.Fatal(err)
	}
	der, err := sealer.Open(sealed, []byte("pkid:ca-key:"+caID))
	if err != nil {
		t.Fatalf("opening key of CA %s: %v", caID, err)
	}
	key, err := pki.ParsePrivateKey(der)
	if err != nil {
		t.Fatal(err)
	}
	return key
}
