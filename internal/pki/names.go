package pki

import (
	"crypto/x509/pkix"
	"fmt"
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

// Upper bounds of X.520 attribute values, from RFC 5280 Appendix A.
const (
	MaxCommonName   = 64
	MaxOrganization = 64
	MaxOU           = 64
	MaxProvince     = 128
	MaxLocality     = 128
)

// CheckSubject applies RFC 5280's upper bounds and pkid's character rules
// to every attribute of a subject that pkid would sign unchanged.
func CheckSubject(n pkix.Name) error {
	if err := CheckName("commonName", n.CommonName, MaxCommonName); err != nil {
		return err
	}
	checks := []struct {
		attribute string
		values    []string
		maxLen    int
	}{
		{"organization", n.Organization, MaxOrganization},
		{"organizationalUnit", n.OrganizationalUnit, MaxOU},
		{"province", n.Province, MaxProvince},
		{"locality", n.Locality, MaxLocality},
		{"country", n.Country, 2},
	}
	for _, c := range checks {
		for _, v := range c.values {
			if err := CheckName(c.attribute, v, c.maxLen); err != nil {
				return err
			}
		}
	}
	for _, atv := range n.Names {
		if v, ok := atv.Value.(string); ok && strings.IndexFunc(v, UnsafeNameRune) >= 0 {
			return fmt.Errorf("attribute %v must not contain control or formatting characters", atv.Type)
		}
	}
	return nil
}
