package e2e

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDatabaseHoldsNoPlaintextKey creates CAs on SQLite, then searches the
// database file and its WAL for every encoding of their private keys and
// for the admin's client secret.
func TestDatabaseHoldsNoPlaintextKey(t *testing.T) {
	b := Backends(t)[0] // SQLite: the file on disk is what an attacker copies
	s := Start(t, b, Options{})
	admin := s.AdminToken(t)
	project := s.CreateProject(t, admin, "secrets")
	var caIDs []string
	for _, algo := range []string{"RSA_2048", "EC_prime256v1", "EC_secp384r1"} {
		name := strings.ToLower(strings.ReplaceAll(algo, "_", "-"))
		ca := s.CreateCA(t, admin, RootRequest(project, name, algo, time.Now().AddDate(3, 0, 0)))
		s.Renew(t, admin, ca.ID, time.Now().AddDate(4, 0, 0))
		caIDs = append(caIDs, ca.ID)
	}
	// Checkpoint nothing: the WAL must be searched as it is, too.
	files := []string{s.DatabaseURL, s.DatabaseURL + "-wal"}
	var disk []byte
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		disk = append(disk, data...)
	}
	if len(disk) == 0 {
		t.Fatal("database files are empty")
	}
	for _, id := range caIDs {
		for name, needle := range keyEncodings(t, s, id) {
			if bytes.Contains(disk, needle) {
				t.Errorf("database holds the %s of CA %s's private key", name, id)
			}
		}
	}
	if bytes.Contains(disk, []byte(AdminClientSecret)) {
		t.Error("database holds the admin client secret in plaintext")
	}
	if strings.Contains(s.Log.String(), AdminClientSecret) {
		t.Error("server log holds the admin client secret")
	}
	if strings.Contains(s.Log.String(), admin) {
		t.Error("server log holds an access token")
	}
}

// keyEncodings returns the forms a leaked CA key could take on disk.
func keyEncodings(t *testing.T, s *Server, caID string) map[string][]byte {
	key := s.CAKey(t, caID)
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{
		"PKCS #8 DER":    der,
		"PKCS #8 base64": []byte(base64.StdEncoding.EncodeToString(der)[:64]),
		"PKCS #8 hex":    []byte(hex.EncodeToString(der)[:64]),
		"PEM":            pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})[:80],
	}
	switch k := key.(type) {
	case *ecdsa.PrivateKey:
		scalar, err := k.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		out["EC scalar"] = scalar
		out["EC scalar hex"] = []byte(hex.EncodeToString(scalar))
	case *rsa.PrivateKey:
		out["RSA prime"] = k.Primes[0].Bytes()
		out["RSA private exponent"] = k.D.Bytes()
	}
	return out
}

// TestDataFilesArePrivate checks the modes of the files pkid creates in
// its data directory.
func TestDataFilesArePrivate(t *testing.T) {
	b := Backends(t)[0]
	dir := t.TempDir()
	db := filepath.Join(dir, "pkid.db")
	Start(t, b, Options{DatabaseURL: db})
	info, err := os.Stat(db)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("database mode %o, want 600", info.Mode().Perm())
	}
}
