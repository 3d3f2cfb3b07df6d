package api

import (
	"encoding/json"
	"net/http"

	"github.com/pkid/pkid/internal/auth"
	"github.com/pkid/pkid/internal/errs"
	"github.com/pkid/pkid/internal/store"
)

func (a *API) authRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /api/v1/auth/universal-auth/login", a.public(a.login))
	mux.HandleFunc("POST /api/v1/identities", a.authed(a.createIdentity))
	mux.HandleFunc("POST /api/v1/auth/universal-auth/identities/{identityId}", a.authed(a.attachUniversalAuth))
	mux.HandleFunc("POST /api/v1/auth/universal-auth/identities/{identityId}/client-secrets", a.authed(a.createClientSecret))
	mux.HandleFunc("POST /api/v1/auth/universal-auth/identities/{identityId}/client-secrets/{clientSecretId}/revoke", a.authed(a.revokeClientSecret))
	mux.HandleFunc("POST /api/v1/projects", a.authed(a.createProject))
	mux.HandleFunc("GET /api/v1/projects/{projectId}", a.authed(a.getProject))
	mux.HandleFunc("POST /api/v1/projects/{projectId}/memberships/identities/{identityId}", a.authed(a.addMembership))
}

func (a *API) login(w http.ResponseWriter, r *http.Request) error {
	f, err := readBody(r, true)
	if err != nil {
		return err
	}
	clientID := f.str("clientId", true)
	clientSecret := f.str("clientSecret", true)
	if err := f.err(); err != nil {
		return err
	}
	// Only failed logins spend the client id's budget, so a client that
	// logs in correctly is never locked out by its own successes.
	if !a.limits.login.peek(*clientID) {
		a.log.Warn("login rate-limited after repeated failures", "req_id", requestID(r),
			"client_id", *clientID, "client", clientIP(r))
		a.writeRateLimited(w, r)
		return nil
	}
	res, err := a.auth.Login(r.Context(), *clientID, *clientSecret)
	if errs.Is(err, errs.Unauthorized) {
		a.limits.login.allow(*clientID)
		// The client id is not secret; the secret is never logged.
		a.log.Warn("login failed", "req_id", requestID(r), "client_id", *clientID, "client", clientIP(r))
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"accessToken":       res.AccessToken,
		"expiresIn":         res.ExpiresIn,
		"accessTokenMaxTTL": res.AccessTokenMaxTTL,
		"tokenType":         "Bearer",
	})
	return nil
}

func identityJSON(i store.Identity, authMethods []string) map[string]any {
	return map[string]any{
		"id": i.ID, "name": i.Name, "role": i.OrgRole, "authMethods": authMethods,
		"createdAt": formatTime(i.CreatedAt), "updatedAt": formatTime(i.UpdatedAt),
	}
}

func (a *API) createIdentity(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	f, err := readBody(r, false)
	if err != nil {
		return err
	}
	name := f.strLen("name", true, 1, 64)
	role := f.enum("role", false, auth.OrgRoleNoAccess, auth.OrgRoleMember, auth.OrgRoleAdmin)
	f.str("organizationId", false) // accepted for compatibility; pkid has one organization
	if err := f.err(); err != nil {
		return err
	}
	orgRole := auth.OrgRoleNoAccess
	if role != nil {
		orgRole = *role
	}
	i, err := a.auth.CreateIdentity(r.Context(), p, *name, orgRole)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"identity": identityJSON(i, []string{})})
	return nil
}

func (a *API) attachUniversalAuth(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	identityID, err := pathUUID(r, "identityId")
	if err != nil {
		return err
	}
	f, err := readBody(r, false)
	if err != nil {
		return err
	}
	const maxTTL = 315360000 // ten years, in seconds
	ttl := f.integer("accessTokenTTL", false, 0, maxTTL)
	maxTokenTTL := f.integer("accessTokenMaxTTL", false, 0, maxTTL)
	if err := f.err(); err != nil {
		return err
	}
	ua, err := a.auth.AttachUniversalAuth(r.Context(), p, identityID, deref(ttl), deref(maxTokenTTL))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"identityUniversalAuth": map[string]any{
		"id": ua.IdentityID, "identityId": ua.IdentityID, "clientId": ua.ClientID,
		"accessTokenTTL": ua.AccessTokenTTL, "accessTokenMaxTTL": ua.AccessTokenMaxTTL,
		"createdAt": formatTime(ua.CreatedAt), "updatedAt": formatTime(ua.UpdatedAt),
	}})
	return nil
}

func clientSecretJSON(cs store.ClientSecret) map[string]any {
	return map[string]any{
		"id": cs.ID, "identityId": cs.IdentityID, "description": cs.Description,
		"clientSecretPrefix": cs.Prefix, "clientSecretNumUses": cs.NumUses,
		"clientSecretNumUsesLimit": cs.NumUsesLimit, "clientSecretTTL": cs.TTL,
		"isClientSecretRevoked": cs.Revoked, "createdAt": formatTime(cs.CreatedAt),
		"updatedAt": formatTime(cs.CreatedAt),
	}
}

func (a *API) createClientSecret(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	identityID, err := pathUUID(r, "identityId")
	if err != nil {
		return err
	}
	f, err := readBody(r, false)
	if err != nil {
		return err
	}
	description := f.strLen("description", false, 0, 256)
	numUses := f.integer("numUsesLimit", false, 0, 1<<31)
	ttl := f.integer("ttl", false, 0, 315360000)
	if err := f.err(); err != nil {
		return err
	}
	desc := ""
	if description != nil {
		desc = *description
	}
	secret, cs, err := a.auth.NewClientSecret(r.Context(), p, identityID, desc, deref(ttl), deref(numUses))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"clientSecret": secret, "clientSecretData": clientSecretJSON(cs)})
	return nil
}

func (a *API) revokeClientSecret(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	identityID, err := pathUUID(r, "identityId")
	if err != nil {
		return err
	}
	secretID, err := pathUUID(r, "clientSecretId")
	if err != nil {
		return err
	}
	cs, err := a.auth.RevokeClientSecret(r.Context(), p, identityID, secretID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"clientSecretData": clientSecretJSON(cs)})
	return nil
}

func (a *API) addMembership(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	projectID, err := pathUUID(r, "projectId")
	if err != nil {
		return err
	}
	identityID, err := pathUUID(r, "identityId")
	if err != nil {
		return err
	}
	f, err := readBody(r, false)
	if err != nil {
		return err
	}
	role := f.str("role", false)
	roles := f.roles()
	if role == nil && len(roles) == 0 {
		f.add("role", "invalid_type", "role is required: set role, or roles with one entry, to admin, member or viewer")
	}
	if len(roles) > 1 {
		f.add("roles", "too_big", "roles may hold one entry: pkid gives an identity one role per project")
	}
	if role != nil && len(roles) > 0 {
		f.add("roles", "custom", "set role or roles, not both")
	}
	if err := f.err(); err != nil {
		return err
	}
	chosen := ""
	if role != nil {
		chosen = *role
	}
	if len(roles) == 1 {
		chosen = roles[0]
	}
	m, err := a.auth.AddMembership(r.Context(), p, projectID, identityID, chosen)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"identityMembership": map[string]any{
		"id": m.ID, "projectId": m.ProjectID, "identityId": m.IdentityID, "role": m.Role,
		"createdAt": formatTime(m.CreatedAt), "updatedAt": formatTime(m.UpdatedAt),
	}})
	return nil
}

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// roles reads the "roles" array of a membership request, [{role, …}], and
// returns the role slugs in order.
func (f *fields) roles() []string {
	v := f.get("roles")
	if v == nil {
		return nil
	}
	var items []struct {
		Role string `json:"role"`
	}
	if err := json.Unmarshal(v, &items); err != nil {
		f.add("roles", "invalid_type", "roles must be an array of objects with a role string")
		return nil
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		out = append(out, it.Role)
	}
	return out
}
