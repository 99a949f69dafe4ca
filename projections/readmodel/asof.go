package readmodel

import (
	"context"
	"slices"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/projections"
)

// View returns a view, under filter and at clock, of the given workers and what their judgements read: their
// events read back from the store by stream (up to the model's checkpoint) and the policies, organisations
// and job orders they name from the model, each organisation read when first named (see lazyBase). The
// workers are judged before it returns, so that an error reading an organisation is returned. The model must
// be caught up.
func (m *Model) View(ctx context.Context, store eventstore.Store, workers []string, filter projections.Filter,
	clock time.Time) (*projections.View, error) {
	pm, err := m.partial(ctx, store, workers, filter)
	if err != nil {
		return nil, err
	}
	v := pm.View(clock)
	for _, w := range workers {
		v.Worker(w)
	}
	if err := pm.OrgLoadErr(); err != nil {
		return nil, err
	}
	return v, nil
}

func (m *Model) partial(ctx context.Context, store eventstore.Store, workers []string, filter projections.Filter) (*projections.Model, error) {
	cp, err := m.Checkpoint(ctx)
	if err != nil {
		return nil, err
	}
	pm, err := m.lazyBase(ctx, filter, cp.Position)
	if err != nil {
		return nil, err
	}
	needed := map[string]bool{}
	for _, w := range workers {
		if err := loadWorker(ctx, store, pm, w, cp.Position, needed); err != nil {
			return nil, err
		}
	}
	if err := loadJobOrders(ctx, m.db, pm, needed); err != nil {
		return nil, err
	}
	return pm, nil
}

// contextModel is the model, under filter, of the job orders, policies, organisations and rates alone.
func (m *Model) contextModel(ctx context.Context, filter projections.Filter) (*projections.Model, error) {
	pm, err := m.base(ctx, filter)
	if err != nil {
		return nil, err
	}
	if err := applyContext(ctx, m.db, pm, "job_order_id != ''"); err != nil {
		return nil, err
	}
	return pm, nil
}

// AuditUnder answers an audit under a time filter at clock, replaying the workers a shard at a time (see
// replayShards) into rollup rows held in memory.
func (m *Model) AuditUnder(ctx context.Context, store eventstore.Store, q projections.AuditQuery,
	filter projections.Filter, clock time.Time) ([]projections.AuditRow, error) {
	out, err := m.AuditsUnder(ctx, store, []projections.AuditQuery{q}, filter, clock)
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// AuditsUnder answers each audit as AuditUnder does, in order, from one replay of the workers: the rows of
// every scope and grouping are rolled up at once, and each query's reporting currency beside them.
func (m *Model) AuditsUnder(ctx context.Context, store eventstore.Store, qs []projections.AuditQuery,
	filter projections.Filter, clock time.Time) ([][]projections.AuditRow, error) {
	bys := make([]string, len(qs))
	mrs := make([]*moneyRollup, len(qs))
	want := wantedRows{}
	for i, q := range qs {
		by, err := grouping(q)
		if err != nil {
			return nil, err
		}
		bys[i], mrs[i] = by, moneyFor(q.Currency, q.BuyerID, by)
		want[[2]string{q.BuyerID, by}] = true
	}
	w := &writer{fresh: true, rows: map[rowKey]*row{}, only: want.keeps}
	cv, money, err := m.contributeUnder(ctx, store, w, want.buyers(), filter, clock, mrs...)
	if err != nil {
		return nil, err
	}
	out := make([][]projections.AuditRow, len(qs))
	for i, q := range qs {
		out[i] = auditedRows(w, cv, q.BuyerID, bys[i])
		if money[i] != nil {
			money[i].Fill(out[i])
		}
	}
	return out, nil
}

// auditedRows are the audit rows of the writer's rows of a scope (a buyer, or "" for every one) grouped by by.
func auditedRows(w *writer, cv *projections.View, scope, by string) []projections.AuditRow {
	rows := map[string]*auditedRow{}
	names := map[string]string{}
	for k, r := range w.rows {
		if k.scope != scope || k.by != by {
			continue
		}
		n := 0
		for _, refs := range r.jobOrders {
			if refs > 0 {
				n++
			}
		}
		rows[k.key], names[k.key] = &auditedRow{row: r, jobOrders: n}, cv.OrganisationName(k.key)
	}
	return auditRows(rows, by, names)
}

// moneyRollup says which rollups in a reporting currency a replay adds each worker's ledger to: those keys
// names (none for a worker out of scope).
type moneyRollup struct {
	currency string
	keys     func(c *contribution) []string
}

// moneyFor is the moneyRollup of a query in currency (nil without one) within buyer's supply chain ("" for
// every one), grouped by by.
func moneyFor(currency, buyer, by string) *moneyRollup {
	if currency == "" {
		return nil
	}
	return &moneyRollup{currency: currency, keys: func(c *contribution) []string {
		if buyer != "" && !slices.Contains(c.Buyers, buyer) {
			return nil
		}
		return c.groupKeys(by, buyer)
	}}
}

// contributeUnder adds every worker's judgement and every job order's own figures under filter, at clock, to
// the writer's rows, and each worker's ledger to the rollups in a reporting currency each moneyRollup asks
// for (none for a nil one); it returns the view of the context (job orders, policies, organisations, rates)
// and those rollups, one for each moneyRollup (nil for a nil one). Unless buyers is nil, the rows are all
// within those buyers' supply chains: only the workers recruited on a job order of one of them are replayed.
func (m *Model) contributeUnder(ctx context.Context, store eventstore.Store, w *writer, buyers []string,
	filter projections.Filter, clock time.Time, mrs ...*moneyRollup) (*projections.View, []*projections.CurrencyRollups, error) {
	cm, err := m.contextModel(ctx, filter)
	if err != nil {
		return nil, nil, err
	}
	cv, ids := cm.View(clock), cm.JobOrderIDs()
	money := make([]*projections.CurrencyRollups, len(mrs))
	for i, mr := range mrs {
		if mr != nil {
			money[i] = projections.NewCurrencyRollups(cv.Reporting(mr.currency))
		}
	}
	each := func(c *contribution, j *projections.Judgement) {
		for i, mr := range mrs {
			if mr != nil {
				money[i].Add(mr.keys(c), &j.Ledger)
			}
		}
	}
	var workers map[string]bool // those recruited on the job orders of buyers (nil: every one)
	if buyers != nil {
		if workers, err = m.recruitedOn(ctx, jobOrdersOf(cv, ids, buyers)); err != nil {
			return nil, nil, err
		}
	}
	jobOrders, err := m.contributeWorkers(ctx, store, w, cm, workers, filter, clock, each)
	if err != nil {
		return nil, nil, err
	}
	for _, id := range ids {
		jobOrders[id] = true
	}
	for id := range jobOrders {
		jo, ok := cv.JobOrder(id)
		if !ok {
			jo = &projections.JobOrder{ID: id} // named only by a recruitment
		}
		c := jobOrderContribution(jo, cv.JobOrderFlags(id))
		if err := w.contribute(ctx, &c, 1); err != nil {
			return nil, nil, err
		}
	}
	return cv, money, nil
}

// contributeWorkers adds the judgement under filter (cm's), at clock, of every worker of workers (of every one
// when nil) to the writer's rows, replayed a shard at a time on forks of cm (see
// replayShards) and judged on every core, hands each to each, and returns the job orders the shards named.
func (m *Model) contributeWorkers(ctx context.Context, store eventstore.Store, w *writer, cm *projections.Model,
	workers map[string]bool, filter projections.Filter, clock time.Time,
	each func(*contribution, *projections.Judgement)) (map[string]bool, error) {
	type judged struct {
		c contribution
		j projections.Judgement
	}
	conv := func(j projections.Judgement) (judged, error) {
		j.Flags = slices.DeleteFunc(j.Flags, func(f domain.Flag) bool { return !projections.VisibleAt(f, clock) })
		return judged{c: workerContribution(j), j: j}, nil
	}
	named := map[string]bool{}
	err := m.replayShards(ctx, store, cm, filter, workers, func(pm *projections.Model) error {
		v := pm.View(clock)
		for _, id := range pm.JobOrderIDs() {
			named[id] = true
			v.JobOrder(id) // built before judging on every core, which only reads them
		}
		return judgeEach(ctx, v, pm.WorkerIDs(), conv, func(jd judged) error {
			if err := w.contribute(ctx, &jd.c, 1); err != nil {
				return err
			}
			each(&jd.c, &jd.j)
			return nil
		})
	})
	return named, err
}
