package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/pkid/pkid/internal/store"
)

const caColumns = `id, project_id, name, status, ca_type, friendly_name, common_name,
	organization, ou, country, province, locality, dn, key_algorithm, max_path_length,
	parent_ca_id, not_before, not_after, serial_number, active_ca_cert_id, sealed_key,
	enable_direct_issuance, crl_urls, disable_managed_crl, created_at, updated_at`

func scanCA(row interface{ Scan(...any) error }) (store.CA, error) {
	var c store.CA
	var maxPath sql.NullInt64
	var parent, serial, active sql.NullString
	var notBefore, notAfter sql.NullInt64
	var crlURLs string
	var created, updated int64
	err := row.Scan(&c.ID, &c.ProjectID, &c.Name, &c.Status, &c.Type, &c.FriendlyName,
		&c.CommonName, &c.Organization, &c.OU, &c.Country, &c.Province, &c.Locality, &c.DN,
		&c.KeyAlgorithm, &maxPath, &parent, &notBefore, &notAfter, &serial, &active,
		&c.SealedKey, &c.EnableDirectIssuance, &crlURLs, &c.DisableManagedCRL, &created, &updated)
	if err != nil {
		return c, err
	}
	c.MaxPathLength = fromNullInt(maxPath)
	c.ParentCAID = fromNullString(parent)
	c.NotBefore, c.NotAfter = fromNullMillis(notBefore), fromNullMillis(notAfter)
	c.SerialNumber, c.ActiveCACertID = fromNullString(serial), fromNullString(active)
	c.CreatedAt, c.UpdatedAt = fromMillis(created), fromMillis(updated)
	if err := json.Unmarshal([]byte(crlURLs), &c.CRLURLs); err != nil {
		return c, fmt.Errorf("decoding CRL URLs of CA %s: %w", c.ID, err)
	}
	return c, nil
}

func encodeURLs(urls []string) (string, error) {
	if urls == nil {
		urls = []string{}
	}
	b, err := json.Marshal(urls)
	return string(b), err
}

// InsertCA stores a new CA. A name taken in the project yields
// store.ErrConflict.
func (q *Queries) InsertCA(ctx context.Context, c store.CA) error {
	urls, err := encodeURLs(c.CRLURLs)
	if err != nil {
		return fmt.Errorf("encoding CRL URLs: %w", err)
	}
	err = q.exec(ctx, `INSERT INTO cas (`+caColumns+`) VALUES
		(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.ProjectID, c.Name, c.Status, c.Type, c.FriendlyName, c.CommonName,
		c.Organization, c.OU, c.Country, c.Province, c.Locality, c.DN, c.KeyAlgorithm,
		toNullInt(c.MaxPathLength), toNullString(c.ParentCAID), toNullMillis(c.NotBefore),
		toNullMillis(c.NotAfter), toNullString(c.SerialNumber), toNullString(c.ActiveCACertID),
		c.SealedKey, c.EnableDirectIssuance, urls, c.DisableManagedCRL,
		toMillis(c.CreatedAt), toMillis(c.UpdatedAt))
	if err != nil {
		return fmt.Errorf("inserting CA: %w", err)
	}
	return nil
}

// GetCA loads a CA by id.
func (q *Queries) GetCA(ctx context.Context, id string) (store.CA, error) {
	c, err := scanCA(q.queryRow(ctx, `SELECT `+caColumns+` FROM cas WHERE id = ?`, id))
	if err != nil {
		return c, fmt.Errorf("loading CA %s: %w", id, notFound(err))
	}
	return c, nil
}

// LockCA loads a CA inside a transaction and keeps other writers of that
// CA waiting until the transaction ends (SELECT … FOR UPDATE on
// PostgreSQL; on SQLite the immediate transaction already excludes them).
func (q *Queries) LockCA(ctx context.Context, id string) (store.CA, error) {
	c, err := scanCA(q.queryRow(ctx, `SELECT `+caColumns+` FROM cas WHERE id = ?`+q.d.forUpdate(), id))
	if err != nil {
		return c, fmt.Errorf("locking CA %s: %w", id, notFound(err))
	}
	return c, nil
}

// ListCAs returns the CAs of a project, oldest first.
func (q *Queries) ListCAs(ctx context.Context, projectID string) ([]store.CA, error) {
	rows, err := q.query(ctx, `SELECT `+caColumns+` FROM cas WHERE project_id = ?
		ORDER BY created_at, id`, projectID)
	if err != nil {
		return nil, fmt.Errorf("listing CAs: %w", err)
	}
	defer rows.Close()
	out := []store.CA{}
	for rows.Next() {
		c, err := scanCA(rows)
		if err != nil {
			return nil, fmt.Errorf("scanning CA: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// UpdateCA writes every mutable column of a CA.
func (q *Queries) UpdateCA(ctx context.Context, c store.CA) error {
	urls, err := encodeURLs(c.CRLURLs)
	if err != nil {
		return fmt.Errorf("encoding CRL URLs: %w", err)
	}
	err = q.exec(ctx, `UPDATE cas SET name = ?, status = ?, max_path_length = ?, parent_ca_id = ?,
		not_before = ?, not_after = ?, serial_number = ?, active_ca_cert_id = ?,
		enable_direct_issuance = ?, crl_urls = ?, disable_managed_crl = ?, updated_at = ?
		WHERE id = ?`,
		c.Name, c.Status, toNullInt(c.MaxPathLength), toNullString(c.ParentCAID),
		toNullMillis(c.NotBefore), toNullMillis(c.NotAfter), toNullString(c.SerialNumber),
		toNullString(c.ActiveCACertID), c.EnableDirectIssuance, urls, c.DisableManagedCRL,
		toMillis(c.UpdatedAt), c.ID)
	if err != nil {
		return fmt.Errorf("updating CA %s: %w", c.ID, err)
	}
	return nil
}

const caCertColumns = `id, ca_id, version, certificate, certificate_chain, serial_number,
	not_before, not_after, created_at`

func scanCACert(row interface{ Scan(...any) error }) (store.CACert, error) {
	var c store.CACert
	var notBefore, notAfter, created int64
	err := row.Scan(&c.ID, &c.CAID, &c.Version, &c.Certificate, &c.Chain, &c.SerialNumber,
		&notBefore, &notAfter, &created)
	c.NotBefore, c.NotAfter, c.CreatedAt = fromMillis(notBefore), fromMillis(notAfter), fromMillis(created)
	return c, err
}

// InsertCACert stores a new certificate version. Version must be unused
// for the CA; a taken version yields store.ErrConflict.
func (q *Queries) InsertCACert(ctx context.Context, c store.CACert) error {
	err := q.exec(ctx, `INSERT INTO ca_certificates (`+caCertColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.CAID, c.Version, c.Certificate, c.Chain, c.SerialNumber,
		toMillis(c.NotBefore), toMillis(c.NotAfter), toMillis(c.CreatedAt))
	if err != nil {
		return fmt.Errorf("inserting CA certificate: %w", err)
	}
	return nil
}

// MaxCACertVersion returns the highest certificate version of a CA, or 0.
func (q *Queries) MaxCACertVersion(ctx context.Context, caID string) (int, error) {
	var v sql.NullInt64
	err := q.queryRow(ctx, `SELECT MAX(version) FROM ca_certificates WHERE ca_id = ?`, caID).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("reading latest version of CA %s: %w", caID, err)
	}
	return int(v.Int64), nil
}

// GetCACert loads one certificate version by id.
func (q *Queries) GetCACert(ctx context.Context, id string) (store.CACert, error) {
	c, err := scanCACert(q.queryRow(ctx, `SELECT `+caCertColumns+` FROM ca_certificates WHERE id = ?`, id))
	if err != nil {
		return c, fmt.Errorf("loading CA certificate %s: %w", id, notFound(err))
	}
	return c, nil
}

// ListCACerts returns every certificate version of a CA, version ascending.
func (q *Queries) ListCACerts(ctx context.Context, caID string) ([]store.CACert, error) {
	rows, err := q.query(ctx, `SELECT `+caCertColumns+` FROM ca_certificates WHERE ca_id = ?
		ORDER BY version`, caID)
	if err != nil {
		return nil, fmt.Errorf("listing CA certificates: %w", err)
	}
	defer rows.Close()
	out := []store.CACert{}
	for rows.Next() {
		c, err := scanCACert(rows)
		if err != nil {
			return nil, fmt.Errorf("scanning CA certificate: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
