package pki

import (
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
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
