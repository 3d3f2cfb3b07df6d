package e2e

import (
	"bytes"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// auditOp is one change of the scripted session and the audit entry it
// must leave.
type auditOp struct {
	actor  string // identity id
	action string
	caID   string
	reqID  string
}

// auditEntry is one element of GET audit-logs.
type auditEntry struct {
	ID        string `json:"id"`
	CreatedAt string `json:"createdAt"`
	Actor     struct {
		Type       string `json:"type"`
		IdentityID string `json:"identityId"`
	} `json:"actor"`
	Action    string  `json:"action"`
	ProjectID string  `json:"projectId"`
	CAID      *string `json:"caId"`
	ReqID     string  `json:"reqId"`
}

// auditSession runs the scripted changes and collects what the leak
// search looks for.
type auditSession struct {
	s        *Server
	t        *testing.T
	project  string
	ops      []auditOp
	keys     map[string][]byte // name -> an encoding of a private key
	memberID string
}

// adminActor marks the admin's changes: login does not return the
// admin's identity id, so the first audit entry supplies it.
const adminActor = ""

// change sends a request that must succeed and records the audit entry
// it should leave.
func (a *auditSession) change(actor, token, action, caID, method, path string, body, out any) {
	a.t.Helper()
	resp := a.s.Do(a.t, method, path, token, body).OK(a.t, out)
	a.ops = append(a.ops, auditOp{actor: actor, action: action, caID: caID, reqID: resp.Header.Get("X-Request-Id")})
}

func (a *auditSession) addCAKey(caID string) {
	for name, needle := range keyEncodings(a.t, a.s, caID) {
		a.keys["CA "+caID+" "+name] = needle
	}
}

func (a *auditSession) addLeafKey(pemText string) {
	block, _ := pem.Decode([]byte(pemText))
	if block == nil {
		a.t.Fatal("issue-certificate returned no private key PEM")
	}
	leaf := fmt.Sprintf("leaf key %d", len(a.keys))
	a.keys[leaf+" PKCS #8 DER"] = block.Bytes
	a.keys[leaf+" PKCS #8 base64"] = []byte(base64.StdEncoding.EncodeToString(block.Bytes)[:64])
	a.keys[leaf+" PEM line"] = []byte(strings.Split(pemText, "\n")[1])
}

// run performs 20 changes, 12 by the admin and 8 by a member, plus
// requests that change nothing and must leave no entry.
func (a *auditSession) run(admin string, member Identity, memberToken string) {
	s, t := a.s, a.t
	notAfter := func(years int) string { return time.Now().AddDate(years, 0, 0).UTC().Format(time.RFC3339) }
	var root, rootB, icA, icB CA
	var signed signedIntermediate
	var issued, signedLeaf, issuedB IssuedCert

	// Admin: a root, its renewal and an intermediate signed and imported.
	a.change(adminActor, admin, "create-ca", "", "POST", caBase, RootRequest(a.project, "audit-root", "EC_prime256v1", time.Now().AddDate(5, 0, 0)), &root)
	a.ops[0].caID = root.ID
	a.change(adminActor, admin, "renew-ca", root.ID, "POST", caBase+"/"+root.ID+"/renew",
		map[string]any{"type": "existing", "notAfter": notAfter(6)}, nil)
	a.change(adminActor, admin, "create-ca", "", "POST", caBase, intermediateBody(a.project, "audit-a", "EC_prime256v1", "", time.Time{}, nil), &icA)
	a.ops[2].caID = icA.ID
	a.change(adminActor, admin, "sign-intermediate", root.ID, "POST", caBase+"/"+root.ID+"/sign-intermediate",
		map[string]any{"csr": s.csr(t, admin, icA.ID), "notAfter": notAfter(2)}, &signed)
	a.change(adminActor, admin, "import-ca-certificate", icA.ID, "POST", caBase+"/"+icA.ID+"/import-certificate",
		map[string]any{"certificate": signed.Certificate, "certificateChain": signed.CertificateChain}, nil)
	a.change(adminActor, admin, "update-ca", icA.ID, "PATCH", caBase+"/"+icA.ID, map[string]any{"status": "disabled"}, nil)
	a.change(adminActor, admin, "update-ca", icA.ID, "PATCH", caBase+"/"+icA.ID, map[string]any{"status": "active"}, nil)
	// Admin: certificates issued, signed, revoked and deleted.
	a.change(adminActor, admin, "issue-cert", root.ID, "POST", "/api/v1/cert-manager/certificates/issue-certificate",
		map[string]any{"caId": root.ID, "commonName": "audit.example", "ttl": "30d"}, &issued)
	a.addLeafKey(issued.PrivateKey)
	a.change(adminActor, admin, "sign-cert", root.ID, "POST", "/api/v1/cert-manager/certificates/sign-certificate",
		map[string]any{"caId": root.ID, "csr": NewCSR(t, NewKey(t, "EC_prime256v1"), "signed.example"), "ttl": "30d"}, &signedLeaf)
	a.change(adminActor, admin, "revoke-cert", root.ID, "POST", "/api/v1/cert-manager/certificates/"+issued.CertificateID+"/revoke",
		map[string]any{"revocationReason": "KEY_COMPROMISE"}, nil)
	a.change(adminActor, admin, "delete-cert", root.ID, "DELETE", "/api/v1/cert-manager/certificates/"+signedLeaf.CertificateID, nil, nil)

	// Member: a second hierarchy. Reads and a forbidden delete leave no entry.
	m := member.ID
	a.change(m, memberToken, "create-ca", "", "POST", caBase, RootRequest(a.project, "audit-root-b", "RSA_2048", time.Now().AddDate(5, 0, 0)), &rootB)
	a.ops[11].caID = rootB.ID
	a.change(m, memberToken, "renew-ca", rootB.ID, "POST", caBase+"/"+rootB.ID+"/renew",
		map[string]any{"type": "existing", "notAfter": notAfter(7)}, nil)
	a.change(m, memberToken, "create-ca", "", "POST", caBase, intermediateBody(a.project, "audit-b", "EC_secp384r1", "", time.Time{}, nil), &icB)
	a.ops[13].caID = icB.ID
	a.change(m, memberToken, "sign-intermediate", rootB.ID, "POST", caBase+"/"+rootB.ID+"/sign-intermediate",
		map[string]any{"csr": s.csr(t, memberToken, icB.ID), "notAfter": notAfter(3)}, &signed)
	a.change(m, memberToken, "import-ca-certificate", icB.ID, "POST", caBase+"/"+icB.ID+"/import-certificate",
		map[string]any{"certificate": signed.Certificate, "certificateChain": signed.CertificateChain}, nil)
	a.change(m, memberToken, "issue-cert", icB.ID, "POST", caBase+"/"+icB.ID+"/issue-certificate",
		map[string]any{"commonName": "member.example", "ttl": "7d"}, &issuedB)
	a.addLeafKey(issuedB.PrivateKey)
	a.change(m, memberToken, "sign-cert", icB.ID, "POST", caBase+"/"+icB.ID+"/sign-certificate",
		map[string]any{"csr": NewCSR(t, NewKey(t, "RSA_2048"), "member-signed.example"), "ttl": "7d"}, nil)
	a.change(m, memberToken, "update-ca", icB.ID, "PATCH", caBase+"/"+icB.ID, map[string]any{"name": "audit-b-renamed"}, nil)
	// Revoking needs the delete permission, as in the reference API.
	s.Do(t, http.MethodPost, "/api/v1/cert-manager/certificates/"+issuedB.CertificateID+"/revoke", memberToken,
		map[string]any{"revocationReason": "SUPERSEDED"}).ExpectError(t, 403, "PermissionDenied", "")
	s.Do(t, http.MethodDelete, caBase+"/"+icA.ID, memberToken, nil).ExpectError(t, 403, "PermissionDenied", "")
	s.Do(t, http.MethodGet, caBase+"/"+icB.ID+"/ca-certificates", memberToken, nil).OK(t, nil)

	// Admin: CA keys are collected before the delete removes one.
	for _, id := range []string{root.ID, rootB.ID, icA.ID, icB.ID} {
		a.addCAKey(id)
	}
	a.change(adminActor, admin, "delete-ca", icA.ID, "DELETE", caBase+"/"+icA.ID, nil, nil)
}

func (a *auditSession) list(token, query string) []auditEntry {
	a.t.Helper()
	var out struct {
		AuditLogs []auditEntry `json:"auditLogs"`
	}
	a.s.Do(a.t, http.MethodGet, "/api/v1/projects/"+a.project+"/audit-logs?"+query, token, nil).OK(a.t, &out)
	return out.AuditLogs
}

// TestAuditSession runs 20 changes by two identities and checks the
// audit log entry by entry, its filters and pagination, who may read it,
// and that no secret, token or private key reaches the database or the
// server log.
func TestAuditSession(t *testing.T) {
	ForEachBackend(t, func(t *testing.T, b Backend) {
		s := Start(t, b, Options{})
		admin := s.AdminToken(t)
		a := &auditSession{s: s, t: t, keys: map[string][]byte{}}
		a.project = s.CreateProject(t, admin, "audit")
		member := s.CreateIdentity(t, admin, "audit-member", a.project, "member")
		a.memberID = member.ID
		memberToken := s.Login(t, member.ClientID, member.ClientSecret)
		a.run(admin, member, memberToken)
		if len(a.ops) != 20 {
			t.Fatalf("the session made %d changes, want 20", len(a.ops))
		}

		// The log opens with the membership the setup gave the member.
		all := a.list(admin, "")
		if len(all) == 0 || all[0].Action != "set-identity-membership" || all[0].CAID != nil {
			t.Fatalf("first audit entry %+v, want the member's set-identity-membership", all)
		}
		checkAuditEntries(t, a, all[1:])
		t.Run("filters", func(t *testing.T) { checkAuditFilters(t, a, admin, all) })
		t.Run("non-admins get 403", func(t *testing.T) {
			viewer := s.ProjectMemberToken(t, admin, a.project, "audit-viewer", "viewer")
			for _, token := range []string{memberToken, viewer} {
				s.Do(t, http.MethodGet, "/api/v1/projects/"+a.project+"/audit-logs", token, nil).
					ExpectError(t, 403, "PermissionDenied", "You are not allowed to read on audit-logs")
			}
		})
		t.Run("no secret, token or key is stored or logged", func(t *testing.T) {
			needles := map[string][]byte{
				"admin client secret":  []byte(AdminClientSecret),
				"member client secret": []byte(member.ClientSecret),
				"admin access token":   []byte(admin),
				"member access token":  []byte(memberToken),
			}
			for k, v := range a.keys {
				needles[k] = v
			}
			haystacks := map[string][]byte{"database": databaseBytes(t, s, b), "server log": []byte(s.Log.String())}
			for where, data := range haystacks {
				if len(data) == 0 {
					t.Fatalf("%s is empty", where)
				}
				for name, needle := range needles {
					if bytes.Contains(data, needle) {
						t.Errorf("%s holds the %s", where, name)
					}
				}
			}
		})
	})
}

func checkAuditEntries(t *testing.T, a *auditSession, all []auditEntry) {
	t.Helper()
	if len(all) != len(a.ops) {
		t.Fatalf("%d audit entries, want %d", len(all), len(a.ops))
	}
	for i, op := range a.ops {
		e := all[i]
		actor := op.actor
		if actor == adminActor {
			actor = all[0].Actor.IdentityID
		}
		if e.Action != op.action {
			t.Errorf("entry %d action %q, want %q", i+1, e.Action, op.action)
		}
		if e.Actor.IdentityID != actor || e.Actor.Type != "identity" {
			t.Errorf("entry %d (%s) actor %+v, want identity %s", i+1, op.action, e.Actor, actor)
		}
		if e.CAID == nil || *e.CAID != op.caID {
			t.Errorf("entry %d (%s) caId %v, want %s", i+1, op.action, e.CAID, op.caID)
		}
		if e.ReqID != op.reqID {
			t.Errorf("entry %d (%s) reqId %q, want X-Request-Id %q", i+1, op.action, e.ReqID, op.reqID)
		}
		if e.ProjectID != a.project {
			t.Errorf("entry %d projectId %q, want %q", i+1, e.ProjectID, a.project)
		}
	}
	if all[0].Actor.IdentityID == "" || all[0].Actor.IdentityID == a.memberID {
		t.Errorf("admin entries carry identity %q, the member is %q", all[0].Actor.IdentityID, a.memberID)
	}
}

// reqIDs returns the request ids of entries, in order.
func reqIDs(entries []auditEntry) []string {
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = e.ReqID
	}
	return out
}

func checkAuditFilters(t *testing.T, a *auditSession, admin string, all []auditEntry) {
	pick := func(keep func(e auditEntry) bool) []string {
		var out []string
		for _, e := range all {
			if keep(e) {
				out = append(out, e.ReqID)
			}
		}
		return out
	}
	caID := a.ops[0].caID
	start, end := all[5].CreatedAt, all[12].CreatedAt
	cases := []struct {
		query string
		want  []string
	}{
		{"action=create-ca", pick(func(e auditEntry) bool { return e.Action == "create-ca" })},
		{"action=revoke-cert", pick(func(e auditEntry) bool { return e.Action == "revoke-cert" })},
		{"caId=" + caID, pick(func(e auditEntry) bool { return e.CAID != nil && *e.CAID == caID })},
		{"startDate=" + url.QueryEscape(start) + "&endDate=" + url.QueryEscape(end),
			pick(func(e auditEntry) bool { return e.CreatedAt >= start && e.CreatedAt <= end })},
		{"offset=5&limit=3", reqIDs(all[5:8])},
		{"offset=19", reqIDs(all[19:])},
		{"offset=" + strconv.Itoa(len(all)), nil},
		{"action=create-ca&caId=" + caID, pick(func(e auditEntry) bool {
			return e.Action == "create-ca" && e.CAID != nil && *e.CAID == caID
		})},
	}
	for _, c := range cases {
		got := reqIDs(a.list(admin, c.query))
		if fmt.Sprint(got) != fmt.Sprint(c.want) || len(got) != len(c.want) {
			t.Errorf("audit-logs?%s: %d entries %v, want %d %v", c.query, len(got), got, len(c.want), c.want)
		}
	}
	if n := len(pick(func(e auditEntry) bool { return e.Action == "create-ca" })); n != 4 {
		t.Errorf("%d create-ca entries, want 4", n)
	}
	a.s.Do(t, http.MethodGet, "/api/v1/projects/"+a.project+"/audit-logs?limit=0", admin, nil).ExpectValidation(t, "limit")
	a.s.Do(t, http.MethodGet, "/api/v1/projects/"+a.project+"/audit-logs?startDate=yesterday", admin, nil).ExpectValidation(t, "startDate")
}

// databaseBytes returns everything the database stores: the SQLite file
// and its WAL as they are on disk, or for PostgreSQL every row of every
// table rendered as text.
func databaseBytes(t *testing.T, s *Server, b Backend) []byte {
	t.Helper()
	if b.Name == "sqlite" {
		var out []byte
		for _, f := range []string{s.DatabaseURL, s.DatabaseURL + "-wal"} {
			data, err := os.ReadFile(f)
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			out = append(out, data...)
		}
		return out
	}
	db := s.Srv.DB().SQL()
	rows, err := db.Query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	var out bytes.Buffer
	for _, table := range tables {
		rows, err := db.Query(`SELECT t::text FROM "` + table + `" t`)
		if err != nil {
			t.Fatalf("dumping %s: %v", table, err)
		}
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				t.Fatal(err)
			}
			out.WriteString(table + ": " + line + "\n")
		}
		rows.Close()
	}
	return out.Bytes()
}
