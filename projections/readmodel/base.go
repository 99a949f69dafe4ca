package readmodel

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/fairtrail/fairtrail/projections"
)

// keptBases is how many context models (one per time filter) a Model keeps.
const keptBases = 4

// bases keeps models of the context every judgement reads (policies, organisations, exchange rates) under
// the filters last asked for, so that a partial model forks one instead of decoding and applying the context
// again for every worker or job order read. A kept model is used while the context it was made from is
// unchanged (see contextSignature). It is made from the context snapshot (snapshot.go).
type bases struct {
	mu   sync.Mutex
	kept []base // most recently used first
}

type base struct {
	filter    projections.Filter
	signature string
	m         *projections.Model
}

// contextSignature identifies the policy, organisation and rates events of the model: they change by a rebuild
// or by a catch-up of policy and organisation events (reach.go), which this tells apart.
func contextSignature(ctx context.Context, q rowQueryer) (string, error) {
	var n, commit, prepare, sum int64
	err := q.QueryRowContext(ctx, `SELECT count(*), coalesce(max(commit_pos), 0), coalesce(max(prepare_pos), 0),
		coalesce(sum(commit_pos % 1000003), 0) FROM context_events WHERE job_order_id = ''`).Scan(&n, &commit, &prepare, &sum)
	if err != nil {
		return "", fmt.Errorf("read model: context: %w", err)
	}
	return fmt.Sprintf("%d/%d/%d/%d", n, commit, prepare, sum), nil
}

// base returns a fork of the context model under filter: made once while the context is unchanged, then forked.
func (m *Model) base(ctx context.Context, filter projections.Filter) (*projections.Model, error) {
	sig, err := contextSignature(ctx, m.db)
	if err != nil {
		return nil, err
	}
	b := &m.bases
	b.mu.Lock()
	for i, k := range b.kept {
		if k.filter == filter && k.signature == sig {
			b.kept = slices.Insert(slices.Delete(b.kept, i, i+1), 0, k)
			b.mu.Unlock()
			return k.m.Fork(), nil
		}
	}
	b.mu.Unlock()
	pm := projections.New(filter)
	if err := m.applyBaseContext(ctx, pm, sig); err != nil {
		return nil, err
	}
	b.mu.Lock()
	b.kept = slices.Insert(slices.DeleteFunc(b.kept, func(k base) bool { return k.filter == filter }), 0,
		base{filter: filter, signature: sig, m: pm})
	b.kept = b.kept[:min(len(b.kept), keptBases)]
	b.mu.Unlock()
	return pm.Fork(), nil
}

// loadJobOrders applies the events of the job orders needed, in global order.
func loadJobOrders(ctx context.Context, q queryer, pm *projections.Model, needed map[string]bool) error {
	for jo := range sortedSet(needed) {
		if err := applyContext(ctx, q, pm, "job_order_id = ?", jo); err != nil {
			return err
		}
	}
	return nil
}
