package main

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"
)

// benchMixedRequests is how many requests the API's mixed load makes, over all its clients.
const benchMixedRequests = 4000

// mixedLoad is the API's mixed load: benchWriters clients, each making its share of benchMixedRequests in
// turn: a post of the next held-back event of one of its streams, a page of every flag (anywhere in the
// listing, by a token of the walk), a worker's flags, and a buyer's audit. A client whose streams are all
// posted asks for a flags page instead.
type mixedLoad struct {
	c       apiClient
	streams []heldStream
	tokens  []string
	workers []string
	buyer   string
	seed    int64
}

// mixedResult is every request's latency, how many were writes, and the time they all took.
type mixedResult struct {
	lat    []time.Duration
	writes int
	took   time.Duration
}

// run makes the requests from benchWriters clients at once; the first error stops them all.
func (m mixedLoad) run(ctx context.Context) (mixedResult, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	lats := make([][]time.Duration, benchWriters)
	writes := make([]int, benchWriters)
	errs := make([]error, benchWriters)
	var wg sync.WaitGroup
	start := time.Now()
	for w := range benchWriters {
		wg.Go(func() {
			lats[w], writes[w], errs[w] = m.client(ctx, w)
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
		r.lat, r.writes = append(r.lat, lats[w]...), r.writes+writes[w]
	}
	return r, nil
}

// client is client w of the load: it owns the streams w, w+benchWriters, ... and posts their events in order.
func (m mixedLoad) client(ctx context.Context, w int) ([]time.Duration, int, error) {
	rng := rand.New(rand.NewPCG(uint64(m.seed), uint64(w)))
	var own []heldStream
	for k := w; k < len(m.streams); k += benchWriters {
		own = append(own, m.streams[k])
	}
	stream, event, writes := 0, 0, 0
	lat := make([]time.Duration, 0, benchMixedRequests/benchWriters)
	for i := range benchMixedRequests / benchWriters {
		t := time.Now()
		var err error
		switch kind := (w + i) % 4; {
		case kind == 0 && stream < len(own):
			err = m.c.postEvent(ctx, own[stream], event)
			if event++; event == len(own[stream].events) {
				stream, event = stream+1, 0
			}
			writes++
		case kind == 2:
			_, err = m.c.get(ctx, workerFlagsPath(m.workers[rng.IntN(len(m.workers))]))
		case kind == 3:
			_, err = m.c.get(ctx, "/v1/audit?buyer="+m.buyer)
		default:
			_, err = m.c.get(ctx, flagsPagePath(m.pageToken(rng)))
		}
		lat = append(lat, time.Since(t))
		if err != nil {
			return lat, writes, err
		}
	}
	return lat, writes, nil
}

// pageToken picks a page of the listing of every flag: the first ("") or one after it.
func (m mixedLoad) pageToken(rng *rand.Rand) string {
	k := rng.IntN(len(m.tokens) + 1)
	if k == len(m.tokens) {
		return ""
	}
	return m.tokens[k]
}
