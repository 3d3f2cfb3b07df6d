package authority

// Observer is told about completed CA operations, for metrics. Calls
// happen after the change committed.
type Observer interface {
	CARenewed(trigger string)
	AutoRenewal(outcome string)
	CertificateIssued()
	CertificateRevoked()
}

// Renewal triggers passed to Observer.CARenewed.
const (
	TriggerManual = "manual"
	TriggerAuto   = "auto"
)

type nopObserver struct{}

func (nopObserver) CARenewed(string)    {}
func (nopObserver) AutoRenewal(string)  {}
func (nopObserver) CertificateIssued()  {}
func (nopObserver) CertificateRevoked() {}
