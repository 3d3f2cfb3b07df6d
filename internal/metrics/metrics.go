// Package metrics exposes pkid's Prometheus metrics: CA expiry gauges,
// operation counters and HTTP request durations.
package metrics

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/pkid/pkid/internal/store"
)

// Metrics holds every pkid metric in its own registry.
type Metrics struct {
	registry     *prometheus.Registry
	httpDuration *prometheus.HistogramVec
	issued       prometheus.Counter
	revoked      prometheus.Counter
	renewed      *prometheus.CounterVec
	autoRenewals *prometheus.CounterVec
}

// New registers pkid's metrics. CA expiry gauges are read from cas at
// every scrape, so they are right on every replica.
func New(cas CALister, log *slog.Logger) *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		httpDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "pkid_http_request_duration_seconds",
			Help:    "Duration of HTTP requests by route pattern, method and status.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route", "method", "status"}),
		issued: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "pkid_certificates_issued_total", Help: "End-entity certificates issued or signed.",
		}),
		revoked: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "pkid_certificates_revoked_total", Help: "Certificates revoked.",
		}),
		renewed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pkid_ca_renewals_total", Help: "CA certificates renewed, by trigger (manual or auto).",
		}, []string{"trigger"}),
		autoRenewals: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pkid_ca_auto_renewals_total", Help: "Automatic renewal attempts by outcome (success or failed).",
		}, []string{"outcome"}),
	}
	// Create every labelled series at zero, so alerts on their rate work
	// before the first event.
	for _, trigger := range []string{"manual", "auto"} {
		m.renewed.WithLabelValues(trigger)
	}
	for _, outcome := range []string{"success", "failed"} {
		m.autoRenewals.WithLabelValues(outcome)
	}
	m.registry.MustRegister(m.httpDuration, m.issued, m.revoked, m.renewed, m.autoRenewals,
		&expiryCollector{cas: cas, log: log},
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// ObserveRequest records one finished HTTP request.
func (m *Metrics) ObserveRequest(route, method string, status int, d time.Duration) {
	m.httpDuration.WithLabelValues(route, method, strconv.Itoa(status)).Observe(d.Seconds())
}

// CARenewed counts a CA renewal.
func (m *Metrics) CARenewed(trigger string) { m.renewed.WithLabelValues(trigger).Inc() }

// AutoRenewal counts an automatic renewal attempt.
func (m *Metrics) AutoRenewal(outcome string) { m.autoRenewals.WithLabelValues(outcome).Inc() }

// CertificateIssued counts an issued end-entity certificate.
func (m *Metrics) CertificateIssued() { m.issued.Inc() }

// CertificateRevoked counts a revocation.
func (m *Metrics) CertificateRevoked() { m.revoked.Inc() }

// CALister lists every CA.
type CALister interface {
	ListAllCAs(ctx context.Context) ([]store.CA, error)
}

var notAfterDesc = prometheus.NewDesc("pkid_ca_certificate_not_after_timestamp_seconds",
	"notAfter of each CA's active certificate, as Unix time.",
	[]string{"ca_id", "name", "project_id", "type", "status"}, nil)

// expiryCollector reads the CAs from the database at scrape time.
type expiryCollector struct {
	cas CALister
	log *slog.Logger
}

func (c *expiryCollector) Describe(ch chan<- *prometheus.Desc) { ch <- notAfterDesc }

func (c *expiryCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	cas, err := c.cas.ListAllCAs(ctx)
	if err != nil {
		c.log.Error("metrics: listing CAs failed", "error", err)
		return
	}
	for _, ca := range cas {
		if ca.NotAfter == nil {
			continue
		}
		ch <- prometheus.MustNewConstMetric(notAfterDesc, prometheus.GaugeValue,
			float64(ca.NotAfter.Unix()), ca.ID, ca.Name, ca.ProjectID, ca.Type, ca.Status)
	}
}
