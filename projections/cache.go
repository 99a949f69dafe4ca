package projections

import "sync"

// judgementCache holds each worker's judgement until an event changes it. An event about one worker or one
// job order drops the judgements of those workers (drop); a policy, an organisation or a rates table can
// change any worker's, so it starts a new generation and every judgement of an older one is stale (dropAll).
// It is safe for concurrent use: judging many workers fills it from several goroutines.
type judgementCache struct {
	mu         sync.Mutex
	byWorker   map[string]*judgement
	generation uint64
	fresh      int // judgements of the current generation
}

func newJudgementCache() *judgementCache {
	return &judgementCache{byWorker: make(map[string]*judgement)}
}

// get returns the worker's judgement when it is current (else nil), and the generation a judgement made now
// belongs to.
func (c *judgementCache) get(worker string) (*judgement, uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	j := c.byWorker[worker]
	if j != nil && j.generation != c.generation {
		j = nil
	}
	return j, c.generation
}

// put keeps a judgement made at generation gen; one made before a dropAll that happened since is kept for
// nothing (it is stale already).
func (c *judgementCache) put(worker string, j *judgement, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.byWorker[worker]; gen == c.generation && (old == nil || old.generation != gen) {
		c.fresh++
	}
	j.generation = gen
	c.byWorker[worker] = j
}

// drop forgets the judgements of the workers.
func (c *judgementCache) drop(workers ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, w := range workers {
		if old := c.byWorker[w]; old != nil && old.generation == c.generation {
			c.fresh--
		}
		delete(c.byWorker, w)
	}
}

// dropAll makes every judgement stale.
func (c *judgementCache) dropAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.generation++
	c.fresh = 0
}

// holdsAll reports whether the judgements of all n workers are current.
func (c *judgementCache) holdsAll(n int) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.fresh == n
}

// missing lists the workers among ids whose judgement is not current.
func (c *judgementCache) missing(ids []string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, id := range ids {
		if j := c.byWorker[id]; j == nil || j.generation != c.generation {
			out = append(out, id)
		}
	}
	return out
}
