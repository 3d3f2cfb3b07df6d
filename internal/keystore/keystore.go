// Package keystore seals private keys under the server's root key with
// AES-256-GCM, so that no key reaches storage in plaintext.
package keystore

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
)

// RootKeySize is the length of the root key in bytes (AES-256).
const RootKeySize = 32

// sealVersion prefixes every sealed value so the format can change later.
const sealVersion byte = 1

// ErrOpen is returned when a sealed value does not decrypt: the root key
// is wrong, the value was tampered with, or it belongs to another record.
var ErrOpen = errors.New("keystore: sealed value does not decrypt with this root key")

// Sealer encrypts and decrypts values under one root key.
type Sealer struct {
	aead cipher.AEAD
}

// NewSealer returns a Sealer for a 32-byte root key.
func NewSealer(rootKey []byte) (*Sealer, error) {
	if len(rootKey) != RootKeySize {
		return nil, fmt.Errorf("keystore: root key must be %d bytes, got %d", RootKeySize, len(rootKey))
	}
	block, err := aes.NewCipher(rootKey)
	if err != nil {
		return nil, fmt.Errorf("keystore: creating cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("keystore: creating GCM: %w", err)
	}
	return &Sealer{aead: aead}, nil
}

// Seal encrypts plaintext with a fresh random nonce. The associated data
// binds the result to its owner (for a CA key, the CA id), so a sealed key
// copied onto another record does not open. The result is base64 text of
// version || nonce || ciphertext.
func (s *Sealer) Seal(plaintext, associatedData []byte) (string, error) {
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := io.ReadFull(rand.Reader, nonce); err != nil {
		return "", fmt.Errorf("keystore: reading nonce: %w", err)
	}
	out := make([]byte, 0, 1+len(nonce)+len(plaintext)+s.aead.Overhead())
	out = append(out, sealVersion)
	out = append(out, nonce...)
	out = s.aead.Seal(out, nonce, plaintext, associatedData)
	return base64.StdEncoding.EncodeToString(out), nil
}

// Open decrypts a value made by Seal with the same associated data.
func (s *Sealer) Open(sealed string, associatedData []byte) ([]byte, error) {
	raw, err := base64.StdEncoding.DecodeString(sealed)
	if err != nil {
		return nil, fmt.Errorf("keystore: decoding sealed value: %w", err)
	}
	n := s.aead.NonceSize()
	if len(raw) < 1+n+s.aead.Overhead() || raw[0] != sealVersion {
		return nil, ErrOpen
	}
	plain, err := s.aead.Open(nil, raw[1:1+n], raw[1+n:], associatedData)
	if err != nil {
		return nil, ErrOpen
	}
	return plain, nil
}
