package keystore

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func newTestSealer(t *testing.T) *Sealer {
	t.Helper()
	key := make([]byte, RootKeySize)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	s, err := NewSealer(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSealRoundTrip(t *testing.T) {
	s := newTestSealer(t)
	plain := []byte("private key bytes")
	sealed, err := s.Seal(plain, []byte("ca-1"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains([]byte(sealed), plain) {
		t.Fatal("sealed value contains the plaintext")
	}
	got, err := s.Open(sealed, []byte("ca-1"))
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("Open = %q, %v", got, err)
	}
	again, _ := s.Seal(plain, []byte("ca-1"))
	if again == sealed {
		t.Error("two seals of one value are equal: the nonce is not fresh")
	}
}

func TestOpenRejects(t *testing.T) {
	s := newTestSealer(t)
	sealed, err := s.Seal([]byte("secret"), []byte("ca-1"))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.StdEncoding.DecodeString(sealed)
	raw[len(raw)-1] ^= 1
	tampered := base64.StdEncoding.EncodeToString(raw)
	cases := map[string]struct {
		sealer *Sealer
		value  string
		aad    string
	}{
		"other associated data": {s, sealed, "ca-2"},
		"other root key":        {newTestSealer(t), sealed, "ca-1"},
		"tampered ciphertext":   {s, tampered, "ca-1"},
		"truncated":             {s, sealed[:8], "ca-1"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := c.sealer.Open(c.value, []byte(c.aad)); err == nil {
				t.Fatal("Open succeeded")
			}
		})
	}
	if _, err := s.Open(sealed, []byte("ca-2")); !errors.Is(err, ErrOpen) {
		t.Errorf("error %v, want ErrOpen", err)
	}
}

func TestNewSealerKeySize(t *testing.T) {
	if _, err := NewSealer(make([]byte, 16)); err == nil {
		t.Fatal("a 16-byte root key was accepted")
	}
}

func TestLoadRootKey(t *testing.T) {
	dir := t.TempDir()
	key, src, err := LoadRootKey("", dir)
	if err != nil || src != Created || len(key) != RootKeySize {
		t.Fatalf("first load: %v %v %d", src, err, len(key))
	}
	if _, err := os.Stat(filepath.Join(dir, RootKeyFileName)); !os.IsNotExist(err) {
		t.Fatalf("LoadRootKey wrote the key file before the caller asked: %v", err)
	}
	if err := WriteRootKeyFile(dir, key); err != nil {
		t.Fatal(err)
	}
	if err := WriteRootKeyFile(dir, key); err == nil {
		t.Error("a second WriteRootKeyFile replaced the existing key file")
	}
	info, err := os.Stat(filepath.Join(dir, RootKeyFileName))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, %v", info.Mode().Perm(), err)
	}
	again, src, err := LoadRootKey("", dir)
	if err != nil || src != FromFile || !bytes.Equal(again, key) {
		t.Fatalf("second load: %v %v", src, err)
	}
	env := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))
	fromEnv, src, err := LoadRootKey(env, dir)
	if err != nil || src != FromEnv || fromEnv[0] != 7 {
		t.Fatalf("env load: %v %v", src, err)
	}
	for _, bad := range []string{"not base64!", base64.StdEncoding.EncodeToString([]byte("short"))} {
		if _, _, err := LoadRootKey(bad, dir); err == nil {
			t.Errorf("PKID_ROOT_KEY %q accepted", bad)
		}
	}
}
