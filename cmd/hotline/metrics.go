package main

import (
	"context"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"hotline/calls"
	"hotline/queue"
	"hotline/queue/queuepg"
	"hotline/telephony"
	"hotline/telephony/media"
)

// metrics gathers what /metrics shows: the process, the SIP front end, the media engine, the line and
// the operators, the call records' journal; the call flow registers its own (calls ended, offers,
// bridge setup).
func metrics(reg *prometheus.Registry, sip *telephony.Server, engine *media.Engine, d *queue.Dispatcher,
	desk *queuepg.Store, journal *calls.Journal) http.Handler {
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	gauge := func(name, help string, f func() float64) {
		reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, f))
	}
	counter := func(name, help string, f func() float64) {
		reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, f))
	}
	gauge("hotline_calls_in_progress", "Calls from the trunk being handled by this node.", func() float64 { return float64(sip.Calls()) })
	gauge("hotline_media_sessions", "RTP sessions being paced.", func() float64 { return float64(engine.Active()) })
	gauge("hotline_queue_waiting", "Callers waiting in the line on this node.", func() float64 { return float64(d.Waiting()) })
	gauge("hotline_call_records_pending", "Call records not yet written to the database.", func() float64 { return float64(journal.Pending()) })
	gauge("hotline_database_down", "1 while call records cannot be written.", func() float64 {
		if journal.Down() {
			return 1
		}
		return 0
	})
	st := engine.Stats()
	counter("hotline_rtp_packets_received_total", "RTP packets taken from callers and operators.", func() float64 { return float64(st.In.Load()) })
	counter("hotline_rtp_packets_sent_total", "RTP packets sent.", func() float64 { return float64(st.Out.Load()) })
	counter("hotline_rtp_packets_refused_total", "Datagrams on RTP ports that were not RTP or not from the call's source.",
		func() float64 { return float64(st.Refused.Load()) })
	reg.MustRegister(agentsCollector{desk})
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
}

// agentsCollector counts the operators in each state, from the database, at each scrape.
type agentsCollector struct{ desk *queuepg.Store }

var agentsDesc = prometheus.NewDesc("hotline_agents", "Operators by state.", []string{"state"}, nil)

func (agentsCollector) Describe(ch chan<- *prometheus.Desc) { ch <- agentsDesc }

func (c agentsCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	now := time.Now()
	agents, err := c.desk.Agents(ctx, startOfDay(now), now)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(agentsDesc, err)
		return
	}
	by := map[queue.State]int{queue.Offline: 0, queue.Available: 0, queue.Ringing: 0, queue.OnCall: 0, queue.WrapUp: 0, queue.Paused: 0}
	for _, a := range agents {
		by[a.State]++
	}
	for s, n := range by {
		ch <- prometheus.MustNewConstMetric(agentsDesc, prometheus.GaugeValue, float64(n), string(s))
	}
}
