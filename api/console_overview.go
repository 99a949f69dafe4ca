package api

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"time"

	"github.com/fairtrail/fairtrail/api/keys"
	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
	"github.com/fairtrail/fairtrail/projections/readmodel"
)

// worstShown is how many employers and agencies the overview names.
const worstShown = 5

// Overview is the console's first page: the flags in scope counted by month and code, and for roles with an
// audit the caller's total and the worst employers and agencies.
type Overview struct {
	// Months counts the flags in scope by month and code, months in order.
	Months []readmodel.FlagCount
	// Audited is set when Total, Employers and Agencies are given: for admin keys, buyers, and auditors of one
	// buyer or that picked one.
	Audited bool
	// Total is the audit total, each worker counted once (the rows by job order, added up).
	Total projections.AuditRow
	// Employers and Agencies are the audit rows by employer and by agency with the most flagged workers
	// (readmodel.CompareWorst), at most five.
	Employers, Agencies []projections.AuditRow
	// InCurrency are the audit rows by job order with their money in the reporting currency the query names
	// (AuditRow.Converted), for the totals in that currency; nil without one.
	InCurrency []projections.AuditRow
}

// Overview answers the overview for the query (buyer, as_of, known_at, currency). Without a time filter it
// reads the persisted model's maintained state: flag counts per scope, month and code, the scope's total row,
// and the worst rows by a LIMIT. As of a time it judges the listing and the audits whole (a replay), and costs
// more. With a currency it also reads the audit by job order in that currency, as GET /v1/audit gives it.
func (r *Reader) Overview(ctx context.Context, who keys.Identity, q url.Values) (Overview, error) {
	var o Overview
	fq := url.Values{"buyer": {q.Get("buyer")}, "as_of": {q.Get("as_of")}, "known_at": {q.Get("known_at")},
		"currency": {q.Get("currency")}}
	clock := r.s.now()
	fr, err := r.startFlags(ctx, who, fq, clock)
	if err != nil {
		return o, err
	}
	if o.Months, err = r.flagMonths(ctx, who, fr); err != nil {
		return o, err
	}
	aq, filter, err := auditQuery(fq, who)
	switch {
	case !slices.Contains(brands, who.Role):
		return o, nil // employers and agencies see their flags only
	case errors.Is(err, domain.ErrInvalid) && keys.Granted(who.Role) && q.Get("buyer") == "":
		return o, nil // an auditor of several buyers picks one first
	case err != nil:
		return o, err
	}
	o.Audited = true
	if aq.Currency != "" {
		cq := url.Values{"buyer": {aq.BuyerID}, "by": {projections.ByJobOrder}, "as_of": {q.Get("as_of")},
			"known_at": {q.Get("known_at")}, "currency": {aq.Currency}}
		if o.InCurrency, _, err = r.Audit(ctx, who, cq); err != nil {
			return o, err
		}
	}
	if fr.seek {
		st, err := r.s.cfg.Model.Standing(ctx, aq.BuyerID, clock, worstShown)
		o.Total, o.Employers, o.Agencies = st.Total, st.Employers, st.Agencies
		return o, err
	}
	return o, r.auditsInMemory(ctx, &o, aq, filter, clock)
}

// flagMonths counts the listing's flags by month and code: from the maintained counts, else from the
// listing replayed under its filter as it is merged.
func (r *Reader) flagMonths(ctx context.Context, who keys.Identity, fr flagRead) ([]readmodel.FlagCount, error) {
	clock := r.s.now()
	switch {
	case fr.empty:
		return nil, nil
	case fr.seek:
		return r.s.cfg.Model.FlagMonths(ctx, fr.sq, clock, fr.acc)
	}
	counts := readmodel.MonthCounter{}
	for lf, err := range r.s.flagsUnder(ctx, who, fr, clock) {
		if err != nil {
			return nil, err
		}
		counts.Add(lf.Key)
	}
	return counts.Counts(), nil
}

// auditsInMemory answers the overview's audit figures from the audits by job order, employer and agency
// judged under the filter (each a replay, worker by worker).
func (r *Reader) auditsInMemory(ctx context.Context, o *Overview, aq projections.AuditQuery, filter projections.Filter,
	clock time.Time) error {
	for _, by := range []string{projections.ByJobOrder, projections.ByEmployer, projections.ByAgency} {
		rows, err := r.s.audit(ctx, projections.AuditQuery{BuyerID: aq.BuyerID, By: by}, filter, clock)
		if err != nil {
			return err
		}
		slices.SortStableFunc(rows, readmodel.CompareWorst)
		switch by {
		case projections.ByJobOrder:
			o.Total = addRows(rows)
		case projections.ByEmployer:
			o.Employers = rows[:min(worstShown, len(rows))]
		case projections.ByAgency:
			o.Agencies = rows[:min(worstShown, len(rows))]
		}
	}
	return nil
}

// addRows adds audit rows up into one: counts, flags by code and money per currency.
func addRows(rows []projections.AuditRow) projections.AuditRow {
	t := projections.AuditRow{Flags: map[string]int{}}
	var money [4]domain.Sums
	for _, r := range rows {
		t.JobOrders += r.JobOrders
		t.Workers += r.Workers
		t.FlaggedWorkers += r.FlaggedWorkers
		for code, n := range r.Flags {
			t.Flags[code] += n
		}
		for i, ms := range [][]domain.Money{r.WorkerPaid, r.Reimbursed, r.Outstanding, r.WageShortfall} {
			if money[i] == nil {
				money[i] = domain.Sums{}
			}
			for _, m := range ms {
				money[i].Add(m.Currency, m.Amount.Decimal())
			}
		}
	}
	t.WorkerPaid, t.Reimbursed, t.Outstanding, t.WageShortfall = money[0].Money(), money[1].Money(), money[2].Money(), money[3].Money()
	return t
}
