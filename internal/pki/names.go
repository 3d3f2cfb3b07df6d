package pki

import (
	"crypto/x509/pkix"
	"strings"
)

// Subject is the distinguished name a CA is created with.
type Subject struct {
	CommonName   string
	Organization string
	OU           string
	Country      string
	Province     string
	Locality     string
}

// Empty reports whether no field of s is set.
func (s Subject) Empty() bool {
	return s.CommonName == "" && s.Organization == "" && s.OU == "" &&
		s.Country == "" && s.Province == "" && s.Locality == ""
}

// Name converts s into a pkix.Name. Go encodes each attribute as a
// PrintableString when it can and as a UTF8String otherwise.
func (s Subject) Name() pkix.Name {
	n := pkix.Name{CommonName: s.CommonName}
	if s.Organization != "" {
		n.Organization = []string{s.Organization}
	}
	if s.OU != "" {
		n.OrganizationalUnit = []string{s.OU}
	}
	if s.Country != "" {
		n.Country = []string{s.Country}
	}
	if s.Province != "" {
		n.Province = []string{s.Province}
	}
	if s.Locality != "" {
		n.Locality = []string{s.Locality}
	}
	return n
}

// DN renders s in the order the attributes appear in the certificate,
// for example "C=US, O=Acme, CN=Acme Root".
func (s Subject) DN() string {
	var parts []string
	add := func(key, value string) {
		if value != "" {
			parts = append(parts, key+"="+value)
		}
	}
	add("C", s.Country)
	add("ST", s.Province)
	add("L", s.Locality)
	add("O", s.Organization)
	add("OU", s.OU)
	add("CN", s.CommonName)
	return strings.Join(parts, ", ")
}
