package client

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// reasonCodes maps the CRLReason codes of RFC 5280 §5.3.1 to the reason
// names the revoke route accepts. Code 7 is unused and 8 (removeFromCRL)
// has no API name.
var reasonCodes = map[int]string{
	0: "UNSPECIFIED", 1: "KEY_COMPROMISE", 2: "CA_COMPROMISE", 3: "AFFILIATION_CHANGED",
	4: "SUPERSEDED", 5: "CESSATION_OF_OPERATION", 6: "CERTIFICATE_HOLD",
	9: "PRIVILEGE_WITHDRAWN", 10: "A_A_COMPROMISE",
}

// RevocationReason is the revocationReason of a certificate record. The
// server may send the RFC 5280 CRLReason code as a number or the reason
// name as a string; both decode to the name.
type RevocationReason string

// UnmarshalJSON accepts null, a CRLReason code or a reason name.
func (r *RevocationReason) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		*r = ""
		return nil
	}
	var name string
	if err := json.Unmarshal(data, &name); err == nil {
		*r = RevocationReason(name)
		return nil
	}
	var code int
	if err := json.Unmarshal(data, &code); err != nil {
		return fmt.Errorf("revocationReason %s is neither a reason name nor a CRLReason code", data)
	}
	if n, ok := reasonCodes[code]; ok {
		*r = RevocationReason(n)
	} else {
		*r = RevocationReason("CRLReason " + strconv.Itoa(code))
	}
	return nil
}
