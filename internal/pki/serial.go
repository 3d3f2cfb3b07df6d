package pki

import (
	"encoding/hex"
	"fmt"
	"io"
	"math/big"
)

// serialLen is the size of every serial number pkid assigns. RFC 5280
// §4.1.2.2 allows at most 20 octets; using all 20 with the top bit clear
// gives 159 bits of entropy and a positive, minimally encoded INTEGER.
const serialLen = 20

// NewSerial draws a random serial number of exactly 20 octets whose first
// octet is in 0x01–0x7f, so that the DER INTEGER is positive, needs no
// leading zero and always prints as 40 hex digits.
func NewSerial(r io.Reader) (*big.Int, error) {
	b := make([]byte, serialLen)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, fmt.Errorf("pki: reading serial entropy: %w", err)
	}
	// Redraw the first octet until it is in range instead of forcing a
	// value, so the distribution of the first octet stays uniform.
	for b[0] == 0 || b[0] > 0x7f {
		var one [1]byte
		if _, err := io.ReadFull(r, one[:]); err != nil {
			return nil, fmt.Errorf("pki: reading serial entropy: %w", err)
		}
		b[0] = one[0] & 0x7f
	}
	return new(big.Int).SetBytes(b), nil
}

// FormatSerial prints a serial as lowercase hex, padded to an even number
// of digits.
func FormatSerial(n *big.Int) string {
	return hex.EncodeToString(n.Bytes())
}
