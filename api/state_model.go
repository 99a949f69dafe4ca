package api

import (
	"context"
	"errors"
	"time"

	"github.com/fairtrail/fairtrail/domain"
)

// errModelRebuilding keeps the last snapshot while the model, written by other rules, is being rebuilt.
var errModelRebuilding = errors.New("the read model is being rebuilt")

// modelSnapshot reads the flag and money figures from the persisted model's maintained state (see
// readmodel.Gauges) as it is, never catching it up (its follower does: a scrape does not wait for a catch-up in
// progress): a scrape costs a few indexed reads however many workers there are, the
// money in the reporting currency and the months of wages included (readmodel.Model.MoneyTotals reads the
// totals the model keeps for serve's currency; another one it sums from the workers' stored ledgers).
// Flags raised are the growth since the baseline of the model's counter of flags added, which counts the
// clocked flags (overdue reimbursements, open reports) as their time comes.
func (c *stateCollector) modelSnapshot(now time.Time) (*snapshot, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	m := c.s.cfg.Model
	if _, current, err := m.Status(ctx); err != nil {
		return nil, err
	} else if !current {
		return nil, errModelRebuilding
	}
	g, err := m.Gauges(ctx, now)
	if err != nil {
		return nil, err
	}
	sn := &snapshot{at: now, open: g.Open, employers: g.Employers, agencies: g.Agencies, paid: domain.Sums{},
		owed: domain.Sums{}, counter: g.Raised}
	for _, mo := range g.Paid {
		sn.paid.Add(mo.Currency, mo.Amount.Decimal())
	}
	for _, mo := range g.Owed {
		sn.owed.Add(mo.Currency, mo.Amount.Decimal())
	}
	if sn.money, err = m.MoneyTotals(ctx, c.s.cfg.Currency, now); err != nil {
		return nil, err
	}
	return sn, nil
}

// countModelRaised sets the raised counts from a model snapshot: the growth of its counter since the
// baseline (the first snapshot taken caught up), never going down.
func (c *stateCollector) countModelRaised(sn *snapshot) {
	if !c.s.caughtUp.Load() {
		return
	}
	if !c.baseline {
		c.baseline, c.base = true, sn.counter
		return
	}
	for code, n := range sn.counter {
		c.raised[code] = max(c.raised[code], float64(n-c.base[code]))
	}
}
