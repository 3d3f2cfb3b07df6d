package main

import (
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"
)

// printRaw writes a server response unchanged, ending it with a newline.
func printRaw(w io.Writer, raw json.RawMessage) error {
	if _, err := w.Write(raw); err != nil {
		return err
	}
	if len(raw) == 0 || raw[len(raw)-1] != '\n' {
		_, err := io.WriteString(w, "\n")
		return err
	}
	return nil
}

// field is one "Label: value" line of a summary.
type field struct {
	label, value string
}

// printFields writes a summary with the values aligned in one column.
func printFields(w io.Writer, fields []field) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, f := range fields {
		fmt.Fprintf(tw, "%s:\t%s\n", f.label, f.value)
	}
	return tw.Flush()
}

// printTable writes a header row and rows in aligned columns.
func printTable(w io.Writer, header []string, rows [][]string) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	return tw.Flush()
}

// orDash returns s, or "-" when it is empty, so table columns stay aligned.
func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// parseAPITime parses a response date such as 2030-01-01T00:00:00.000Z.
func parseAPITime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("invalid date %q in the server response: %w", s, err)
	}
	return t, nil
}

// daysLeft describes how far notAfter is from now in whole days, such as
// "1825 days left" or "expired 3 days ago".
func daysLeft(notAfter, now time.Time) string {
	// Count in seconds rather than with time.Duration, which saturates
	// at about 292 years and would cap dates such as 9999-12-31.
	secs := notAfter.Unix() - now.Unix()
	if secs <= 0 {
		return fmt.Sprintf("expired %d days ago", -secs/86400)
	}
	return fmt.Sprintf("%d days left", secs/86400)
}

// expiryText returns a response date followed by the days left, or "-"
// for an empty date.
func expiryText(s string, now time.Time) string {
	if s == "" {
		return "-"
	}
	t, err := parseAPITime(s)
	if err != nil {
		return s
	}
	return s + " (" + daysLeft(t, now) + ")"
}

// parseCertificatePEM decodes the first CERTIFICATE block of text.
func parseCertificatePEM(text string) (*x509.Certificate, error) {
	rest := []byte(text)
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			return nil, errors.New("no CERTIFICATE block in the server response")
		}
		if b.Type == "CERTIFICATE" {
			return x509.ParseCertificate(b.Bytes)
		}
	}
}

// certificateFields summarizes a certificate PEM for text output.
func certificateFields(certPEM string, now time.Time) ([]field, error) {
	c, err := parseCertificatePEM(certPEM)
	if err != nil {
		return nil, fmt.Errorf("parsing the certificate in the server response: %w", err)
	}
	notAfter := c.NotAfter.UTC().Format(time.RFC3339)
	return []field{
		{"Subject", c.Subject.String()},
		{"Issuer", c.Issuer.String()},
		{"Not before", c.NotBefore.UTC().Format(time.RFC3339)},
		{"Not after", notAfter + " (" + daysLeft(c.NotAfter, now) + ")"},
	}, nil
}

// outFile is a file --out writes. A private key gets mode 0600 and is
// never replaced.
type outFile struct {
	name       string
	content    string
	privateKey bool
}

// prepareOutDir creates an --out directory (mode 0700) before a request
// whose response will be written there, and, when the response carries a
// private key, checks that no private-key.pem is in the way. An empty dir
// means no --out.
func prepareOutDir(dir string, withKey bool) error {
	if dir == "" {
		return nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating --out directory: %w", err)
	}
	if !withKey {
		return nil
	}
	path := filepath.Join(dir, "private-key.pem")
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("%s already exists; choose another --out directory or move the old key away", path)
	}
	return nil
}

// writeOutFiles writes files into dir (created with mode 0700), skipping
// empty contents, and lists each written path on log. Certificates get
// mode 0644 and replace existing files. An existing private key file is an
// error, because replacing it would lose the only copy of a key.
func writeOutFiles(dir string, files []outFile, log io.Writer) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating --out directory: %w", err)
	}
	for _, f := range files {
		if f.content == "" {
			continue
		}
		path := filepath.Join(dir, f.name)
		content := f.content
		if !strings.HasSuffix(content, "\n") {
			content += "\n"
		}
		if err := writeOutFile(path, content, f.privateKey); err != nil {
			return err
		}
		fmt.Fprintf(log, "Wrote %s\n", path)
	}
	return nil
}

func writeOutFile(path, content string, privateKey bool) error {
	flags, mode := os.O_WRONLY|os.O_CREATE|os.O_TRUNC, os.FileMode(0o644)
	if privateKey {
		flags, mode = os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600
	}
	file, err := os.OpenFile(path, flags, mode)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("%s already exists; choose another --out directory or move the old key away", path)
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	// OpenFile applies the umask, and an existing file keeps its old mode.
	if err := file.Chmod(mode); err != nil {
		file.Close()
		return fmt.Errorf("setting the mode of %s: %w", path, err)
	}
	if _, err := io.WriteString(file, content); err != nil {
		file.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := file.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// readInputFile reads a PEM file named by a flag; "-" reads stdin.
func readInputFile(flag, path string, stdin io.Reader) (string, error) {
	if path == "" {
		return "", fmt.Errorf("missing --%s FILE", flag)
	}
	var data []byte
	var err error
	if path == "-" {
		data, err = io.ReadAll(stdin)
	} else {
		data, err = os.ReadFile(path)
	}
	if err != nil {
		return "", fmt.Errorf("reading --%s: %w", flag, err)
	}
	return strings.TrimSpace(string(data)), nil
}
