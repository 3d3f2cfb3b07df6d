package api

import (
	"fmt"
	"github.com/pkid/pkid/internal/pki"
	"strings"
)

// Upper bounds of the X.520 name attributes pkid writes into subjects.
const (
	maxCommonName   = pki.MaxCommonName
	maxOrganization = pki.MaxOrganization
	maxOU           = pki.MaxOU
	maxProvince     = pki.MaxProvince
	maxLocality     = pki.MaxLocality
)

// nameAttribute returns an optional subject attribute within maxLen
// characters. Control characters are rejected: a NUL or newline inside a
// name lets "good.com\x00.evil.com" read differently to different
// verifiers.
func (f *fields) nameAttribute(name string, maxLen int) string {
	s := f.strLen(name, false, 0, maxLen)
	if s == nil {
		return ""
	}
	if strings.IndexFunc(*s, pki.UnsafeNameRune) >= 0 {
		f.add(name, "invalid_string", name+" must not contain control or formatting characters")
		return ""
	}
	return *s
}

// country returns an optional countryName: two ASCII letters, as X.520
// requires (an ISO 3166 alpha-2 code such as US).
func (f *fields) country(name string) string {
	s := f.str(name, false)
	if s == nil || *s == "" {
		return ""
	}
	if len(*s) != 2 || !isASCIILetter((*s)[0]) || !isASCIILetter((*s)[1]) {
		f.add(name, "invalid_string", fmt.Sprintf("%s must be a two-letter ISO 3166 code such as US, got %q", name, *s))
		return ""
	}
	return *s
}

func isASCIILetter(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }
