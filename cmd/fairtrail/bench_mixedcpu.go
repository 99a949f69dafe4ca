package main

import (
	"context"
	"math/rand/v2"
)

// mixedCPURequests is how many requests of each kind bench --only mixed makes one at a time after the load, to
// measure the server's CPU per request of each kind (the load's requests overlap, so its CPU is not told apart
// by kind).
const mixedCPURequests = 100

// cpuByKind makes up to n requests of each kind of the mixed load one at a time, the posts of the held-back
// events the load left, and returns the CPU (user and system, in milliseconds) server pid used per request of
// each kind (0 for a kind none of whose requests was made).
func (m mixedLoad) cpuByKind(ctx context.Context, pid, n int) ([mixedKinds]float64, error) {
	rng := rand.New(rand.NewPCG(uint64(m.seed), 0x637075))
	var out [mixedKinds]float64
	for kind := range mixedKinds {
		cpu, made := procCPUSeconds(pid), 0
		for ; made < n; made++ {
			ok, err := m.one(ctx, kind, rng)
			if err != nil {
				return out, err
			}
			if !ok {
				break
			}
		}
		if made > 0 {
			out[kind] = 1000 * (procCPUSeconds(pid) - cpu) / float64(made)
		}
	}
	return out, nil
}

// one makes one request of a kind, and reports false for a post when no held-back event is left to post.
func (m mixedLoad) one(ctx context.Context, kind int, rng *rand.Rand) (bool, error) {
	if kind == mixedPost {
		return m.postNext(ctx)
	}
	return true, m.read(ctx, kind, rng)
}

// read makes one read of a kind: a random worker's flags, the buyer's audit, or a random flags page.
func (m mixedLoad) read(ctx context.Context, kind int, rng *rand.Rand) error {
	var err error
	switch kind {
	case mixedWorker:
		_, err = m.c.get(ctx, workerFlagsPath(m.workers[rng.IntN(len(m.workers))]))
	case mixedAudit:
		_, err = m.c.get(ctx, "/v1/audit?buyer="+m.buyer)
	default:
		_, err = m.c.get(ctx, flagsPagePath(m.pageToken(rng)))
	}
	return err
}

// postNext posts the next held-back event the load left unposted, and reports false when there is none.
func (m mixedLoad) postNext(ctx context.Context) (bool, error) {
	for k, h := range m.streams {
		if i := m.posted[k]; i < len(h.events) {
			m.posted[k]++
			return true, m.c.postEvent(ctx, h, i)
		}
	}
	return false, nil
}
