// Package auth holds machine identities, universal-auth login, access
// tokens and project permissions.
package auth

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/google/uuid"

	"github.com/pkid/pkid/internal/clock"
	"github.com/pkid/pkid/internal/errs"
	"github.com/pkid/pkid/internal/keystore"
	"github.com/pkid/pkid/internal/store"
)

// Token lifetimes, in seconds, when universal auth is attached without
// them. Two hours keeps a leaked token short-lived; clients log in again.
const (
	DefaultAccessTokenTTL    = 7200
	DefaultAccessTokenMaxTTL = 2592000
)

// tokenKeyName is the server_keys row holding the sealed token signing key.
const tokenKeyName = "access-token-signing-key"

// Messages of the token errors, as clients of the reference API expect.
const (
	msgTokenExpired = "Your token has expired. Please re-authenticate."
	msgTokenInvalid = "Failed to authenticate token"
	msgTokenRevoked = "Your token has been revoked. Please re-authenticate."
)

// Principal is an authenticated identity acting on a request.
type Principal struct {
	IdentityID     string
	Name           string
	OrgRole        string
	ClientSecretID string
	// RequestID is the id of the request the principal acts in, recorded
	// in audit entries.
	RequestID string
}

// Service logs identities in, checks tokens and manages identities.
type Service struct {
	store    store.Store
	clock    clock.Clock
	tokenKey []byte
	// dummyHash is verified when a client id is unknown, so a failed
	// login costs the same time whether or not the id exists.
	dummyHash string
}

// NewService loads the token signing key from the database, creating it
// on first start. A key that does not open means the server runs with a
// different root key than the one that sealed the data; it is reported
// as an error so the server refuses to start.
func NewService(ctx context.Context, st store.Store, sealer *keystore.Sealer, clk clock.Clock) (*Service, error) {
	key, err := loadTokenKey(ctx, st, sealer, clk)
	if err != nil {
		return nil, err
	}
	dummy, err := HashSecret("pkid-dummy-secret")
	if err != nil {
		return nil, err
	}
	return &Service{store: st, clock: clk, tokenKey: key, dummyHash: dummy}, nil
}

func loadTokenKey(ctx context.Context, st store.Store, sealer *keystore.Sealer, clk clock.Clock) ([]byte, error) {
	aad := []byte("pkid:server-key:" + tokenKeyName)
	sealed, err := st.GetServerKey(ctx, tokenKeyName)
	if errors.Is(err, store.ErrNotFound) {
		key := make([]byte, 32)
		if _, err := io.ReadFull(rand.Reader, key); err != nil {
			return nil, fmt.Errorf("generating token signing key: %w", err)
		}
		if sealed, err = sealer.Seal(key, aad); err != nil {
			return nil, fmt.Errorf("sealing token signing key: %w", err)
		}
		err = st.InsertServerKey(ctx, tokenKeyName, sealed, clk.Now().UnixMilli())
		if err == nil {
			return key, nil
		}
		if !errors.Is(err, store.ErrConflict) {
			return nil, err
		}
		// Another replica created the key first: use its key.
		sealed, err = st.GetServerKey(ctx, tokenKeyName)
	}
	if err != nil {
		return nil, err
	}
	key, err := sealer.Open(sealed, aad)
	if err != nil {
		return nil, fmt.Errorf("the root key does not match the one this database was created with: %w", err)
	}
	return key, nil
}

// LoginResult is a new access token and its lifetimes in seconds.
type LoginResult struct {
	AccessToken       string
	ExpiresIn         int64
	AccessTokenMaxTTL int64
}

var errBadCredentials = errs.New(errs.Unauthorized, "Invalid credentials")

// Login exchanges a universal-auth client id and secret for a token.
func (s *Service) Login(ctx context.Context, clientID, clientSecret string) (LoginResult, error) {
	ua, err := s.store.GetUniversalAuthByClientID(ctx, clientID)
	if errors.Is(err, store.ErrNotFound) {
		_, _ = VerifySecret(clientSecret, s.dummyHash)
		return LoginResult{}, errBadCredentials
	}
	if err != nil {
		return LoginResult{}, err
	}
	secret, err := s.matchSecret(ctx, ua.IdentityID, clientSecret)
	if err != nil {
		return LoginResult{}, err
	}
	if err := s.store.IncrementClientSecretUses(ctx, secret.ID); err != nil {
		return LoginResult{}, err
	}
	now := s.clock.Now()
	token, err := signToken(s.tokenKey, claims{
		Subject:        ua.IdentityID,
		ClientSecretID: secret.ID,
		TokenID:        uuid.NewString(),
		IssuedAt:       now.Unix(),
		ExpiresAt:      now.Unix() + ua.AccessTokenTTL,
		Type:           tokenType,
	})
	if err != nil {
		return LoginResult{}, err
	}
	return LoginResult{AccessToken: token, ExpiresIn: ua.AccessTokenTTL, AccessTokenMaxTTL: ua.AccessTokenMaxTTL}, nil
}

// matchSecret finds the usable client secret of an identity that matches
// the presented one.
func (s *Service) matchSecret(ctx context.Context, identityID, presented string) (store.ClientSecret, error) {
	secrets, err := s.store.ListClientSecrets(ctx, identityID)
	if err != nil {
		return store.ClientSecret{}, err
	}
	now := s.clock.Now()
	checked := false
	for _, cs := range secrets {
		if !s.usable(cs, now) || cs.Prefix != secretPrefix(presented) {
			continue
		}
		checked = true
		ok, err := VerifySecret(presented, cs.Hash)
		if err != nil {
			return store.ClientSecret{}, fmt.Errorf("checking client secret %s: %w", cs.ID, err)
		}
		if ok {
			return cs, nil
		}
	}
	if !checked {
		_, _ = VerifySecret(presented, s.dummyHash)
	}
	return store.ClientSecret{}, errBadCredentials
}

func (s *Service) usable(cs store.ClientSecret, now time.Time) bool {
	if cs.Revoked {
		return false
	}
	if cs.TTL > 0 && now.After(cs.CreatedAt.Add(time.Duration(cs.TTL)*time.Second)) {
		return false
	}
	return cs.NumUsesLimit == 0 || cs.NumUses < cs.NumUsesLimit
}

// Authenticate checks an access token and returns who it belongs to.
func (s *Service) Authenticate(ctx context.Context, token string) (Principal, error) {
	c, err := parseToken(s.tokenKey, token)
	if err != nil {
		return Principal{}, errs.New(errs.TokenInvalid, msgTokenInvalid)
	}
	if s.clock.Now().Unix() >= c.ExpiresAt {
		return Principal{}, errs.New(errs.TokenInvalid, msgTokenExpired)
	}
	identity, err := s.store.GetIdentity(ctx, c.Subject)
	if errors.Is(err, store.ErrNotFound) {
		return Principal{}, errs.New(errs.TokenInvalid, msgTokenInvalid)
	}
	if err != nil {
		return Principal{}, err
	}
	secret, err := s.store.GetClientSecret(ctx, c.ClientSecretID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && secret.Revoked) {
		return Principal{}, errs.New(errs.TokenInvalid, msgTokenRevoked)
	}
	if err != nil {
		return Principal{}, err
	}
	return Principal{
		IdentityID:     identity.ID,
		Name:           identity.Name,
		OrgRole:        identity.OrgRole,
		ClientSecretID: secret.ID,
	}, nil
}
