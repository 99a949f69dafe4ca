package main

import (
	"context"
	"math/rand/v2"
	"slices"
	"sync"
	"time"
)

// mixedRequestsPerClient is how many requests each client of the API's mixed load makes: --queries, within
// 10 to 250 (4,000 requests in all at most).
func mixedRequestsPerClient(queries int) int { return min(max(queries, 10), 250) }

// The kinds of request of the mixed load, in the order the clients take them.
const (
	mixedPost = iota
	mixedPage
	mixedWorker
	mixedAudit
	mixedKinds
)

// mixedLoad is the API's mixed load: benchWriters clients, each making perClient requests, in turn: a post of
// the next held-back event of one of its streams, a page of every flag (anywhere in the listing, by a token of
// the walk), a worker's flags, and a buyer's audit. A client whose streams are all posted asks for a flags page
// instead. The events the load leaves unposted are posted after it (untimed), so
// that the store ends up holding every event of the dataset.
type mixedLoad struct {
	c         apiClient
	perClient int
	streams   []heldStream
	tokens    []string
	workers   []string
	buyer     string
	seed      int64
	posted    []int // per stream, how many of its events are posted: each client counts its own streams'
}

// mixedResult is every request's latency, by kind, and the time they all took.
type mixedResult struct {
	lat  [mixedKinds][]time.Duration
	took time.Duration
}

// all is every request's latency.
func (r mixedResult) all() []time.Duration { return slices.Concat(r.lat[:]...) }

// run makes the requests from benchWriters clients at once; the first error stops them all.
func (m mixedLoad) run(ctx context.Context) (mixedResult, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	lats := make([][mixedKinds][]time.Duration, benchWriters)
	errs := make([]error, benchWriters)
	var wg sync.WaitGroup
	start := time.Now()
	for w := range benchWriters {
		wg.Go(func() {
			lats[w], errs[w] = m.client(ctx, w)
			if errs[w] != nil {
				cancel()
			}
		})
	}
	wg.Wait()
	r := mixedResult{took: time.Since(start)}
	for w := range benchWriters {
		if errs[w] != nil {
			return r, errs[w]
		}
		for k := range mixedKinds {
			r.lat[k] = append(r.lat[k], lats[w][k]...)
		}
	}
	return r, nil
}

// client is client w of the load: it owns the streams w, w+benchWriters, ... and posts their events in order.
func (m mixedLoad) client(ctx context.Context, w int) ([mixedKinds][]time.Duration, error) {
	rng := rand.New(rand.NewPCG(uint64(m.seed), uint64(w)))
	stream := w // the next of its streams with events to post: w, w+benchWriters, ...
	var lat [mixedKinds][]time.Duration
	for i := range m.perClient {
		kind := (w + i) % mixedKinds
		if kind == mixedPost && stream >= len(m.streams) {
			kind = mixedPage
		}
		t := time.Now()
		var err error
		switch kind {
		case mixedPost:
			err = m.c.postEvent(ctx, m.streams[stream], m.posted[stream])
			if m.posted[stream]++; m.posted[stream] == len(m.streams[stream].events) {
				stream += benchWriters
			}
		default:
			err = m.read(ctx, kind, rng)
		}
		lat[kind] = append(lat[kind], time.Since(t))
		if err != nil {
			return lat, err
		}
	}
	return lat, nil
}

// postRest posts, one client, the events of the streams that the load left unposted.
func (m mixedLoad) postRest(ctx context.Context) error {
	for k, h := range m.streams {
		for i := m.posted[k]; i < len(h.events); i++ {
			if err := m.c.postEvent(ctx, h, i); err != nil {
				return err
			}
		}
	}
	return nil
}

// pageToken picks a page of the listing of every flag: the first ("") or one after it.
func (m mixedLoad) pageToken(rng *rand.Rand) string {
	k := rng.IntN(len(m.tokens) + 1)
	if k == len(m.tokens) {
		return ""
	}
	return m.tokens[k]
}
