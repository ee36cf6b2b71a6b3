package callflow

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the call flow's Prometheus figures. A nil *Metrics records nothing.
type Metrics struct {
	ended       *prometheus.CounterVec
	offers      *prometheus.CounterVec
	bridgeSetup prometheus.Histogram
}

// NewMetrics registers the call flow's metrics with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		ended: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hotline_calls_ended_total", Help: "Calls ended, by end reason.",
		}, []string{"reason"}),
		offers: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hotline_queue_offers_total", Help: "Calls offered to operators' phones, by outcome.",
		}, []string{"outcome"}),
		bridgeSetup: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "hotline_bridge_setup_seconds",
			Help:    "From the operator's answer to media flowing both ways through the bridge.",
			Buckets: []float64{.02, .03, .04, .05, .06, .07, .08, .09, .1, .12, .15, .2, .3, .5, 1, 2},
		}),
	}
	reg.MustRegister(m.ended, m.offers, m.bridgeSetup)
	return m
}

func (m *Metrics) callEnded(reason string) {
	if m != nil {
		m.ended.WithLabelValues(reason).Inc()
	}
}

func (m *Metrics) offer(outcome string) {
	if m != nil {
		m.offers.WithLabelValues(outcome).Inc()
	}
}

func (m *Metrics) bridged(d time.Duration) {
	if m != nil {
		m.bridgeSetup.Observe(d.Seconds())
	}
}
