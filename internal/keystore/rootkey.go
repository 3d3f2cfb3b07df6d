package keystore

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// RootKeyFileName is the file in the data directory that holds the root
// key when PKID_ROOT_KEY is not set.
const RootKeyFileName = "root.key"

// RootKeySource is the origin of a root key.
type RootKeySource int

// Where LoadRootKey found the key.
const (
	FromEnv RootKeySource = iota + 1
	FromFile
	Created
)

// LoadRootKey returns the root key. A non-empty envValue (base64 of 32
// bytes) wins; otherwise the key file in dataDir is read. When the file
// does not exist, a new random key is returned with source Created but
// not written: the caller first checks that the database is new, then
// calls WriteRootKeyFile, so a lost key file is never silently replaced.
func LoadRootKey(envValue, dataDir string) ([]byte, RootKeySource, error) {
	if envValue != "" {
		key, err := decodeRootKey(envValue)
		if err != nil {
			return nil, 0, fmt.Errorf("PKID_ROOT_KEY: %w", err)
		}
		return key, FromEnv, nil
	}
	path := filepath.Join(dataDir, RootKeyFileName)
	b, err := os.ReadFile(path)
	if err == nil {
		key, err := decodeRootKey(string(b))
		if err != nil {
			return nil, 0, fmt.Errorf("root key file %s: %w", path, err)
		}
		return key, FromFile, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, 0, fmt.Errorf("reading root key file: %w", err)
	}
	key := make([]byte, RootKeySize)
	if _, err := io.ReadFull(rand.Reader, key); err != nil {
		return nil, 0, fmt.Errorf("generating root key: %w", err)
	}
	return key, Created, nil
}

// WriteRootKeyFile stores a new root key in dataDir with mode 0600.
func WriteRootKeyFile(dataDir string, key []byte) error {
	path := filepath.Join(dataDir, RootKeyFileName)
	text := base64.StdEncoding.EncodeToString(key) + "\n"
	// O_EXCL: if another process created the file meanwhile, fail rather
	// than overwrite the key that already seals data.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("creating root key file: %w", err)
	}
	if _, err := f.WriteString(text); err != nil {
		f.Close()
		return fmt.Errorf("writing root key file: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("syncing root key file: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("closing root key file: %w", err)
	}
	return nil
}

func decodeRootKey(s string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil {
		return nil, fmt.Errorf("invalid base64: %w", err)
	}
	if len(key) != RootKeySize {
		return nil, fmt.Errorf("must decode to %d bytes, got %d", RootKeySize, len(key))
	}
	return key, nil
}
