package api

import (
	"context"
	"log/slog"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
)

// metrics are the API's series, registered on the registry the API was given. Labels are bounded: event
// types, flag codes, currencies, organisation ids, route templates, methods and statuses; never a worker or an
// event id.
type metrics struct {
	reg       *prometheus.Registry
	log       *slog.Logger
	appended  *prometheus.CounterVec
	requests  *prometheus.CounterVec
	durations *prometheus.HistogramVec
}

func newMetrics(reg *prometheus.Registry, s *Server) (*metrics, error) {
	labels := []string{"route", "method", "status"}
	m := &metrics{
		reg: reg,
		log: s.log,
		appended: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "fairtrail_events_appended_total",
			Help: "Events appended to the store through the API, by type (events already stored, sent again, are not counted)."},
			[]string{"type"}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "fairtrail_http_requests_total",
			Help: "HTTP requests answered, by route template, method and status."}, labels),
		durations: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "fairtrail_http_request_duration_seconds",
			Help:    "Time to answer HTTP requests, by route template, method and status.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}}, labels),
	}
	for _, t := range domain.Types {
		m.appended.WithLabelValues(t) // present from the start, so rates are defined
	}
	cs := append([]prometheus.Collector{m.appended, m.requests, m.durations, newStateCollector(s)}, s.logMetrics(s.now())...)
	if err := registerAll(reg, cs); err != nil {
		return nil, err
	}
	return m, nil
}

// request records an answered request.
func (m *metrics) request(route, method, status string, took time.Duration) {
	m.requests.WithLabelValues(route, method, status).Inc()
	m.durations.WithLabelValues(route, method, status).Observe(took.Seconds())
}

// handler serves the registry in the Prometheus exposition format.
func (m *metrics) handler() gin.HandlerFunc {
	h := promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		ErrorLog:      slog.NewLogLogger(m.log.Handler(), slog.LevelError),
		ErrorHandling: promhttp.ContinueOnError,
	})
	return gin.WrapH(h)
}

// countingStore is the server's store: it counts the events it appends by type, and keeps the last position
// it stored (written), which a write settles before it answers (see settle). Every append the server makes
// goes through it.
type countingStore struct {
	eventstore.Store
	appended *prometheus.CounterVec
	written  watermark
}

// Append implements eventstore.Store.
func (s *countingStore) Append(ctx context.Context, req eventstore.AppendRequest) (eventstore.AppendResult, error) {
	res, err := s.Store.Append(ctx, req)
	if err == nil {
		s.count([]eventstore.AppendRequest{req}, []eventstore.AppendResult{res})
	}
	return res, err
}

// AppendBatch implements eventstore.Store; on error it counts the requests the store reports stored.
func (s *countingStore) AppendBatch(ctx context.Context, reqs []eventstore.AppendRequest) ([]eventstore.AppendResult, error) {
	res, err := s.Store.AppendBatch(ctx, reqs)
	s.count(reqs, res)
	return res, err
}

// FindEvents implements eventstore.Finder with the server's store, so that an import refuses a file that reuses a
// stored event id before it stores anything; over a store that is not a Finder it finds nothing, and such a
// clash stops the import as it appends, as it would without this wrapper.
func (s *countingStore) FindEvents(ctx context.Context, keys []eventstore.EventKey) ([]eventstore.Recorded, error) {
	if f, ok := s.Store.(eventstore.Finder); ok {
		return f.FindEvents(ctx, keys)
	}
	return make([]eventstore.Recorded, len(keys)), nil
}

func (s *countingStore) count(reqs []eventstore.AppendRequest, res []eventstore.AppendResult) {
	for i, r := range res {
		for j, a := range r.Events {
			s.written.advance(a.Position)
			if !a.Duplicate && i < len(reqs) && j < len(reqs[i].Events) {
				s.appended.WithLabelValues(reqs[i].Events[j].Type).Inc()
			}
		}
	}
}
