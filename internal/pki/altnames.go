package pki

import (
	"crypto/x509"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// AltNames are the subjectAltName entries of a certificate (RFC 5280
// §4.2.1.6), sorted by type.
type AltNames struct {
	DNSNames       []string
	IPAddresses    []net.IP
	EmailAddresses []string
	URIs           []*url.URL
}

// Empty reports whether a holds no name.
func (a AltNames) Empty() bool {
	return len(a.DNSNames) == 0 && len(a.IPAddresses) == 0 &&
		len(a.EmailAddresses) == 0 && len(a.URIs) == 0
}

// String renders a as the comma-separated list the API reports, DNS
// names first, then IP addresses, emails and URIs.
func (a AltNames) String() string {
	var parts []string
	parts = append(parts, a.DNSNames...)
	for _, ip := range a.IPAddresses {
		parts = append(parts, ip.String())
	}
	parts = append(parts, a.EmailAddresses...)
	for _, u := range a.URIs {
		parts = append(parts, u.String())
	}
	return strings.Join(parts, ",")
}

// dnsNamePattern matches a DNS name of letters, digits and hyphens, with
// an optional leading "*." wildcard label. Labels are checked for length
// separately.
var dnsNamePattern = regexp.MustCompile(`^(\*\.)?([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?\.)*[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$`)

// IsDNSName reports whether s is a valid DNS name for a certificate:
// at most 253 characters, labels of 1 to 63 characters, an optional
// leading wildcard label.
func IsDNSName(s string) bool {
	if len(s) == 0 || len(s) > 253 || !dnsNamePattern.MatchString(s) {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if len(label) > 63 {
			return false
		}
	}
	return true
}

// MaxAltNames bounds the subject alternative names of one certificate.
// It is the limit the Let's Encrypt CA sets, and it keeps a certificate
// (and the work of signing and storing it) small.
const MaxAltNames = 100

// Count returns the number of names in a.
func (a AltNames) Count() int {
	return len(a.DNSNames) + len(a.IPAddresses) + len(a.EmailAddresses) + len(a.URIs)
}

// ParseAltNames reads a comma-separated list of subject alternative
// names. Each entry is taken as an IP address when it parses as one, an
// email address when it contains "@", a URI when it contains "://", and
// a DNS name otherwise. Empty entries are skipped and duplicates dropped,
// DNS names ignoring case. More than MaxAltNames distinct names are an
// error.
func ParseAltNames(list string) (AltNames, error) {
	var a AltNames
	seen := map[string]bool{}
	for _, raw := range strings.Split(list, ",") {
		entry := strings.TrimSpace(raw)
		if entry == "" || seen[entry] {
			continue
		}
		seen[entry] = true
		if err := a.add(entry); err != nil {
			return AltNames{}, err
		}
		if a.Count() > MaxAltNames {
			return AltNames{}, fmt.Errorf("more than %d names; a certificate may have at most %d", MaxAltNames, MaxAltNames)
		}
	}
	return a, nil
}

func (a *AltNames) add(entry string) error {
	if ip := net.ParseIP(entry); ip != nil {
		a.AddIP(ip) // "::1" and "0::1" are one address
		return nil
	}
	switch {
	case strings.Contains(entry, "://"):
		u, err := url.Parse(entry)
		if err != nil || u.Scheme == "" || u.Host == "" {
			return fmt.Errorf("%q is not a valid URI: it needs a scheme and a host", entry)
		}
		a.URIs = append(a.URIs, u)
	case strings.Contains(entry, "@"):
		addr, err := mail.ParseAddress(entry)
		if err != nil || addr.Address != entry {
			return fmt.Errorf("%q is not a valid email address", entry)
		}
		a.EmailAddresses = append(a.EmailAddresses, entry)
	default:
		if !IsDNSName(entry) {
			return fmt.Errorf("%q is not a valid DNS name, IP address, email address or URI", entry)
		}
		a.AddDNSName(entry) // DNS names compare case-insensitively
	}
	return nil
}

// AddDNSName adds name unless it is already listed.
func (a *AltNames) AddDNSName(name string) {
	name = strings.ToLower(name)
	for _, d := range a.DNSNames {
		if d == name {
			return
		}
	}
	a.DNSNames = append(a.DNSNames, name)
}

// AddIP adds ip unless it is already listed.
func (a *AltNames) AddIP(ip net.IP) {
	for _, have := range a.IPAddresses {
		if have.Equal(ip) {
			return
		}
	}
	a.IPAddresses = append(a.IPAddresses, ip)
}

// AltNamesFromCSR checks the subject alternative names a CSR requests by
// the rules ParseAltNames applies to a list, and returns them without
// duplicates: a CSR must not bring in a name the API would reject.
func AltNamesFromCSR(csr *x509.CertificateRequest) (AltNames, error) {
	var a AltNames
	for _, d := range csr.DNSNames {
		if !IsDNSName(d) {
			return AltNames{}, fmt.Errorf("CSR DNS name %q is not a valid DNS name", d)
		}
		a.AddDNSName(d)
	}
	for _, ip := range csr.IPAddresses {
		a.AddIP(ip)
	}
	for _, e := range csr.EmailAddresses {
		if addr, err := mail.ParseAddress(e); err != nil || addr.Address != e {
			return AltNames{}, fmt.Errorf("CSR email address %q is not valid", e)
		}
		if !slices.Contains(a.EmailAddresses, e) {
			a.EmailAddresses = append(a.EmailAddresses, e)
		}
	}
	for _, u := range csr.URIs {
		if u.Scheme == "" || u.Host == "" || strings.IndexFunc(u.String(), UnsafeNameRune) >= 0 {
			return AltNames{}, fmt.Errorf("CSR URI %q needs a scheme and a host and no control characters", u.String())
		}
		a.URIs = append(a.URIs, u)
	}
	if a.Count() > MaxAltNames {
		return AltNames{}, fmt.Errorf("CSR lists %d subject alternative names; a certificate may have at most %d", a.Count(), MaxAltNames)
	}
	return a, nil
}

// UnsafeNameRune reports characters that must not appear in a name pkid
// writes into a certificate: control characters, and format characters
// such as U+202E that change how a name is displayed.
func UnsafeNameRune(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r)
}

// CheckName rejects a subject attribute value that is longer than max
// characters or contains an unsafe character.
func CheckName(attribute, value string, maxLen int) error {
	if n := utf8.RuneCountInString(value); n > maxLen {
		return fmt.Errorf("%s is %d characters long; RFC 5280 allows at most %d", attribute, n, maxLen)
	}
	if strings.IndexFunc(value, UnsafeNameRune) >= 0 {
		return fmt.Errorf("%s must not contain control or formatting characters", attribute)
	}
	return nil
}
