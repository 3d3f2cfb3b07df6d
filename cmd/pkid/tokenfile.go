package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// savedToken is the login pkid login keeps in the user's config
// directory. ClientID is stored only to print an exact login hint; the
// client secret is never stored.
type savedToken struct {
	Server      string    `json:"server"`
	ClientID    string    `json:"clientId"`
	AccessToken string    `json:"accessToken"`
	ExpiresAt   time.Time `json:"expiresAt"`
}

// tokenPath returns <user config dir>/pkid/token.json, which on Linux is
// $XDG_CONFIG_HOME/pkid/token.json or ~/.config/pkid/token.json.
func tokenPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("finding the user config directory for the saved login: %w", err)
	}
	return filepath.Join(dir, "pkid", "token.json"), nil
}

// loadToken reads the saved login. A missing file returns an error that
// wraps os.ErrNotExist.
func loadToken() (savedToken, string, error) {
	var t savedToken
	path, err := tokenPath()
	if err != nil {
		return t, "", err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return t, path, fmt.Errorf("reading the saved login: %w", err)
	}
	if err := json.Unmarshal(data, &t); err != nil {
		return t, path, fmt.Errorf("invalid saved login in %s (remove it and log in again): %w", path, err)
	}
	return t, path, nil
}

// saveToken writes the login with mode 0600 in a directory with mode
// 0700. It writes a temporary file and renames it, so a reader never sees
// half a file.
func saveToken(t savedToken) (string, error) {
	path, err := tokenPath()
	if err != nil {
		return "", err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("creating %s: %w", dir, err)
	}
	// MkdirAll keeps the mode of a directory that already exists.
	if err := os.Chmod(dir, 0o700); err != nil {
		return "", fmt.Errorf("restricting %s to its owner: %w", dir, err)
	}

	data, err := json.MarshalIndent(t, "", "  ")
	if err != nil {
		return "", fmt.Errorf("encoding the login: %w", err)
	}

	tmp, err := os.CreateTemp(dir, "token-*.json")
	if err != nil {
		return "", fmt.Errorf("saving the login: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return "", fmt.Errorf("saving the login: %w", err)
	}
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return "", fmt.Errorf("saving the login: %w", err)
	}

	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("saving the login: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", fmt.Errorf("saving the login: %w", err)
	}
	return path, nil
}
