package pki

import (
	"crypto/rand"
	"encoding/asn1"
	"testing"
)

// TestNewSerialUniqueAndShort draws 20 000 serials and checks that none
// repeats, none is negative or zero, and each encodes in at most 20
// octets as RFC 5280 §4.1.2.2 requires.
func TestNewSerialUniqueAndShort(t *testing.T) {
	const n = 20000
	seen := make(map[string]bool, n)
	for i := 0; i < n; i++ {
		serial, err := NewSerial(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if serial.Sign() <= 0 {
			t.Fatalf("serial %x is not positive", serial)
		}
		der, err := asn1.Marshal(serial)
		if err != nil {
			t.Fatal(err)
		}
		// der is tag, one length octet (contents are under 128 octets),
		// then the contents octets of the INTEGER.
		if octets := len(der) - 2; octets > 20 || der[1] != byte(octets) {
			t.Fatalf("serial %x encodes in %d octets, more than 20", serial, octets)
		}
		if der[2]&0x80 != 0 {
			t.Fatalf("serial %x encodes as a negative INTEGER", serial)
		}
		hex := FormatSerial(serial)
		if len(hex) != 40 {
			t.Fatalf("serial %s has %d hex digits, want 40", hex, len(hex))
		}
		if seen[hex] {
			t.Fatalf("serial %s drawn twice", hex)
		}
		seen[hex] = true
	}
}
