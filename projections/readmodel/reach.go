package readmodel

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/projections"
)

// What an event of the base context reaches. A catch-up meeting a policy or an organisation event inserts it
// among the context events (as a job order's) and judges again, from their events read back by stream, only
// the workers and job orders whose judgement reads it; the rest of the model is left as it is. The judgements
// read the base context in these places, and nowhere else (projections: judgeFees, documentFlags,
// licenceFlags, JobOrder's payments; readmodel: the orgs table, the context snapshot, the rollups' money in
// kept currencies):
//
//   - PolicyAdopted: a worker's fees are judged against the policies in force whose scope covers it (spec
//     section 3): scope.buyer_id among its job order's buyer_ids, scope.destination its job order's worksite
//     country (in any version of the terms), scope.origin its recruitment's origin_country. It reaches the
//     workers recruited for a job order (workers and recruitments tables) that every present buyer and
//     destination key of the new scope, or of an earlier adoption of the policy (which a new one replaces),
//     matches. A scope with neither key (only an origin, or none) reaches every worker: the origin is no
//     column of the model.
//   - PolicyRetired: the workers the policy's adoptions reach, as above.
//   - OrganisationRegistered: chain.unlicensed_agency reads every registration of the organisation that
//     recruited a worker, so it reaches the workers of the job orders its agency rollup counts
//     (rollup_job_orders, scope "", grouping "agency": a worker's recruiter is one of its agencies);
//     document.retained reads the holder's role: a registration that makes the organisation one that holds
//     documents for the worker (projections.HoldsForWorker) reaches the workers with a document.retained flag
//     it holds, and one that makes a former holder for the worker a retainer rebuilds (ReasonHolderRole: no
//     table lists the documents it holds without a flag); chain.reverse_fee reads the roles of a job order
//     payment's payer and payee, so it reaches the job orders whose payments name the organisation. The
//     orgs table, which audit rows and the agencies read names from, is written.
//   - ExchangeRatesPublished: a rates table converts, at or after its date, every fee in another currency
//     than a cap, every fee in another currency than the worker's baseline wage (months of wages) and every
//     amount the kept currencies' money_totals and rollup_money sum: in practice nearly every worker. It
//     rebuilds (ReasonRates).
//
// A batch whose events reach more than Options.ReachShare of the model's workers rebuilds instead
// (ReasonReachesMany): past that share a rebuild, which reads the store once in order, costs less than
// reading so many workers back by stream (see the README's figures).

// Reasons a catch-up of a policy, organisation or rates event rebuilds rather than judging again the workers
// it reaches.
const (
	ReasonRates       = "an exchange-rates table was published, which converts nearly every worker's money"
	ReasonReachesMany = "a policy or organisation reaches too large a share of the workers to judge them one by one"
	ReasonHolderRole  = "an organisation that held workers' documents for them registered with a role that retains them"
)

// reached is what a batch's policy and organisation events reach: workers and job orders to judge again, or
// every worker.
type reached struct {
	workers   map[string]bool
	jobOrders map[string]bool
	all       bool
}

// reach adds to the batch the workers and job orders its base-context events reach (see above), judged from
// the context as the model holds it before them; reason is set when the batch should rebuild instead.
func (m *Model) reach(ctx context.Context, tx *sql.Tx, b *batch) (string, error) {
	pm, err := m.base(ctx, projections.Filter{})
	if err != nil {
		return "", err
	}
	if err := applyContext(ctx, tx, pm, "job_order_id != ''"); err != nil {
		return "", err
	}
	r := &reached{workers: map[string]bool{}, jobOrders: map[string]bool{}}
	for _, rec := range b.base {
		f, err := projections.Decode(rec)
		if err != nil {
			return "", err
		}
		reason, err := r.add(ctx, tx, pm, f.Event)
		if err != nil || reason != "" {
			return reason, err
		}
		pm.ApplyFact(f)
	}
	return m.admit(ctx, tx, r, b)
}

// add notes what one event reaches, the model pm holding the context before it.
func (r *reached) add(ctx context.Context, tx *sql.Tx, pm *projections.Model, ev domain.Event) (string, error) {
	switch e := ev.(type) {
	case *domain.PolicyAdopted:
		return "", r.addPolicy(ctx, tx, pm, append(pm.PolicyScopes(e.PolicyID), e.Scope))
	case *domain.PolicyRetired:
		return "", r.addPolicy(ctx, tx, pm, pm.PolicyScopes(e.PolicyID))
	case *domain.OrganisationRegistered:
		return r.addOrganisation(ctx, tx, pm, e)
	}
	return "", fmt.Errorf("read model: %s is no policy or organisation event", ev.EventType())
}

// addPolicy adds the workers of the job orders the scopes cover, or every worker when one has neither a buyer
// nor a destination.
func (r *reached) addPolicy(ctx context.Context, tx *sql.Tx, pm *projections.Model, scopes []domain.Scope) error {
	v := pm.View(time.Time{})
	for _, s := range scopes {
		if s.BuyerID == "" && s.Destination == "" {
			r.all = true
			return nil
		}
		for _, id := range pm.JobOrderIDs() {
			jo, ok := v.JobOrder(id)
			if ok && scopeCovers(s, jo) {
				if err := r.addWorkersOf(ctx, tx, id); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// scopeCovers reports whether a scope's buyer and destination keys may cover a worker of the job order: the
// buyer among its buyers, the destination its worksite in some version of its terms.
func scopeCovers(s domain.Scope, jo *projections.JobOrder) bool {
	if s.BuyerID != "" && !slices.Contains(jo.BuyerIDs, s.BuyerID) {
		return false
	}
	if s.Destination == "" {
		return true
	}
	return slices.ContainsFunc(jo.Versions, func(tv projections.TermsVersion) bool {
		return tv.Terms.Worksite.Country == s.Destination
	})
}

// addOrganisation adds what a registration of an organisation reaches (see above).
func (r *reached) addOrganisation(ctx context.Context, tx *sql.Tx, pm *projections.Model,
	e *domain.OrganisationRegistered) (string, error) {
	v := pm.View(time.Time{})
	was, is := projections.HoldsForWorker(v.OrganisationRole(e.OrgID)), projections.HoldsForWorker(e.Role)
	if was && !is {
		return ReasonHolderRole, nil
	}
	if is && !was {
		if err := r.addHeldBy(ctx, tx, e.OrgID); err != nil {
			return "", err
		}
	}
	jos, err := column(ctx, tx, `SELECT job_order_id FROM rollup_job_orders WHERE scope = '' AND grouping = ? AND key = ?`,
		projections.ByAgency, e.OrgID)
	if err != nil {
		return "", fmt.Errorf("read model: job orders of agency %s: %w", e.OrgID, err)
	}
	for _, jo := range jos {
		if err := r.addWorkersOf(ctx, tx, jo); err != nil {
			return "", err
		}
	}
	for _, id := range pm.JobOrderIDs() {
		if jo, ok := v.JobOrder(id); ok && slices.ContainsFunc(jo.Payments, func(p projections.Payment) bool {
			return p.PayerID == e.OrgID || p.PayeeID == e.OrgID
		}) {
			r.jobOrders[id] = true
		}
	}
	return "", nil
}

// addHeldBy adds the workers with a document.retained flag whose holder is org.
func (r *reached) addHeldBy(ctx context.Context, tx *sql.Tx, org string) error {
	id, err := json.Marshal(org)
	if err != nil {
		return fmt.Errorf("read model: holder %s: %w", org, err)
	}
	ws, err := column(ctx, tx, `SELECT DISTINCT worker_id FROM flags WHERE code = ? AND instr(rest, ?) > 0`,
		domain.FlagDocumentRetained, `"held_by":`+string(id))
	if err != nil {
		return fmt.Errorf("read model: documents held by %s: %w", org, err)
	}
	for _, w := range ws {
		r.workers[w] = true
	}
	return nil
}

// addWorkersOf adds the workers recruited for a job order.
func (r *reached) addWorkersOf(ctx context.Context, tx *sql.Tx, jo string) error {
	ws, err := column(ctx, tx, recruitedForSQL, jo)
	if err != nil {
		return fmt.Errorf("read model: workers of %s: %w", jo, err)
	}
	for _, w := range ws {
		r.workers[w] = true
	}
	return nil
}

// admit adds what was reached to the batch, unless it is more than Options.ReachShare of the workers.
func (m *Model) admit(ctx context.Context, tx *sql.Tx, r *reached, b *batch) (string, error) {
	var total int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM workers").Scan(&total); err != nil {
		return "", fmt.Errorf("read model: count workers: %w", err)
	}
	n := len(r.workers)
	if r.all {
		n = total
	}
	if float64(n) > m.opts.ReachShare*float64(total) {
		return ReasonReachesMany, nil
	}
	if r.all {
		ws, err := column(ctx, tx, "SELECT worker_id FROM workers")
		if err != nil {
			return "", fmt.Errorf("read model: workers: %w", err)
		}
		for _, w := range ws {
			r.workers[w] = true
		}
	}
	for w := range r.workers {
		b.workers[w] = true
	}
	for jo := range r.jobOrders {
		b.jobOrders[jo] = true
	}
	return "", nil
}

// column returns the first column of a query's rows.
func column(ctx context.Context, q queryer, query string, args ...any) ([]string, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// writeBase writes what the batch's base-context events change besides judgements: the organisations they
// register, and the context snapshot and signature, which no longer match the context's rows.
func writeBase(ctx context.Context, tx *sql.Tx, b *batch) error {
	if len(b.base) == 0 {
		return nil
	}
	for _, rec := range b.base {
		if err := insertOrgOf(ctx, tx, rec); err != nil {
			return err
		}
	}
	return writeContextSnapshot(ctx, tx)
}

// applyBase applies the batch's base-context events to pm, a model of the context before them.
func applyBase(pm *projections.Model, recs []eventstore.Recorded) error {
	for _, rec := range recs {
		if err := pm.Apply(rec); err != nil {
			return fmt.Errorf("read model: %w", err)
		}
	}
	return nil
}

// defaultReachShare is Options.ReachShare's default.
const defaultReachShare = 0.12
