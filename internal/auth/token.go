package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Access tokens are JWTs (RFC 7519) signed with HMAC-SHA256 under a key
// that lives sealed in the database, so every replica can check them.

// claims is the payload of an access token.
type claims struct {
	Subject        string `json:"sub"` // identity id
	ClientSecretID string `json:"csid"`
	TokenID        string `json:"jti"`
	IssuedAt       int64  `json:"iat"`
	ExpiresAt      int64  `json:"exp"`
	Type           string `json:"typ"`
}

const tokenType = "pkid-identity-access-token"

var jwtHeader = base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))

var errMalformedToken = errors.New("malformed token")

func signToken(key []byte, c claims) (string, error) {
	payload, err := json.Marshal(c)
	if err != nil {
		return "", fmt.Errorf("encoding token claims: %w", err)
	}
	signingInput := jwtHeader + "." + base64.RawURLEncoding.EncodeToString(payload)
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(signingInput))
	return signingInput + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil)), nil
}

// parseToken checks the signature of token and decodes its claims. It
// does not check expiry.
func parseToken(key []byte, token string) (claims, error) {
	var c claims
	parts := strings.Split(token, ".")
	if len(parts) != 3 || parts[0] != jwtHeader {
		return c, errMalformedToken
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return c, errMalformedToken
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(parts[0] + "." + parts[1]))
	if !hmac.Equal(sig, mac.Sum(nil)) {
		return c, errMalformedToken
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return c, errMalformedToken
	}
	if err := json.Unmarshal(payload, &c); err != nil || c.Type != tokenType || c.Subject == "" {
		return c, errMalformedToken
	}
	return c, nil
}
