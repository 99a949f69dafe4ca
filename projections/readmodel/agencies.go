package readmodel

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/projections"
)

// ErrEmployerScope is returned for an agency query scoped to an employer: the rollups are kept per buyer, so
// such a query is answered by projections.View.Agencies.
var ErrEmployerScope = errors.New("agency scorecards of one employer's job orders are not kept in the rollups")

// Agencies answers an agency query at clock from the maintained rollups of the agency grouping: it reads the
// rows of the agencies in the query's scope (the buyer's, or every supply chain's), the job orders counted in
// them, and then the context those rows name (organisations, rates and those job orders' events), so that it
// costs the agencies returned, not a replay.
func (m *Model) Agencies(ctx context.Context, q projections.AgencyQuery, clock time.Time) (projections.AgencyReport, error) {
	if q.EmployerID != "" {
		return projections.AgencyReport{}, ErrEmployerScope
	}
	if err := m.keep(ctx, q.Currency); err != nil {
		return projections.AgencyReport{}, err
	}
	tx, err := m.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return projections.AgencyReport{}, fmt.Errorf("read model: agencies: %w", err)
	}
	defer tx.Rollback()
	var keys []string
	if q.AgencyID != "" {
		keys = []string{q.AgencyID}
	}
	corr, err := clockCorrections(ctx, tx, q.BuyerID, projections.ByAgency, clock)
	if err != nil {
		return projections.AgencyReport{}, err
	}
	return scorecards(ctx, tx, q, keys, corr, clock)
}

// scorecards judges the scorecards of the agencies of keys (every agency in the query's scope for nil keys)
// at clock, their rows corrected by corr.
func scorecards(ctx context.Context, tx *sql.Tx, q projections.AgencyQuery, keys []string, corr map[string]*correction,
	clock time.Time) (projections.AgencyReport, error) {
	rows, err := readRows(ctx, tx, q.BuyerID, projections.ByAgency, keys, true)
	if err != nil {
		return projections.AgencyReport{}, err
	}
	correct(rows, corr)
	jobOrders, err := agencyJobOrders(ctx, tx, q.BuyerID, rows)
	if err != nil {
		return projections.AgencyReport{}, err
	}
	cv, err := agencyContext(ctx, tx, rows, jobOrders, clock)
	if err != nil {
		return projections.AgencyReport{}, err
	}
	figs, err := agencyFigures(rows, jobOrders, cv, nil)
	if err != nil {
		return projections.AgencyReport{}, err
	}
	if q.Currency != "" {
		if err := convertAgencies(ctx, tx, figs, q, clock); err != nil {
			return projections.AgencyReport{}, err
		}
	}
	return cv.Scorecards(figs, q), nil
}

// agencyContext is the view at clock of what the scorecards of the agencies of rows name: those agencies'
// registrations, every policy, and the job orders counted in the rows. It leaves out the other
// organisations and the exchange rates (a reporting currency converts the stored ledgers, see
// convertAgencies), so that it costs the agencies read, not the programme's size.
func agencyContext(ctx context.Context, tx *sql.Tx, rows map[string]*auditedRow, jobOrders map[string][]string,
	clock time.Time) (*projections.View, error) {
	pm := projections.New(projections.Filter{})
	needed := map[string]bool{}
	for _, ids := range jobOrders {
		for _, id := range ids {
			needed[id] = true
		}
	}
	args := []any{domain.TypeExchangeRatesPublished, domain.TypeOrganisationRegistered}
	for key := range rows {
		args = append(args, key)
	}
	where := "job_order_id = '' AND type != ? AND (type != ? OR json_extract(data, '$.org_id') IN " +
		placeholders(len(rows)) + ")"
	if err := applyContext(ctx, tx, pm, where, args...); err != nil {
		return nil, err
	}
	if err := loadJobOrders(ctx, tx, pm, needed); err != nil {
		return nil, err
	}
	return pm.View(clock), nil
}

// convertAgencies sets the figures' money in the query's reporting currency, as an audit by agency in that
// currency reads it (inCurrency).
func convertAgencies(ctx context.Context, tx *sql.Tx, figs []projections.AgencyFigures, q projections.AgencyQuery,
	clock time.Time) error {
	audit := make([]projections.AuditRow, len(figs))
	for i, f := range figs {
		audit[i] = f.Row
	}
	aq := projections.AuditQuery{BuyerID: q.BuyerID, By: projections.ByAgency, Currency: q.Currency}
	if err := inCurrency(ctx, tx, audit, aq, projections.ByAgency, clock); err != nil {
		return err
	}
	for i := range figs {
		figs[i].Row.Converted = audit[i].Converted
	}
	return nil
}

// agencyJobOrders reads the job orders counted in each row of the agency grouping, sorted.
func agencyJobOrders(ctx context.Context, tx *sql.Tx, scope string, rows map[string]*auditedRow) (map[string][]string, error) {
	out := map[string][]string{}
	for key := range rows {
		rs, err := tx.QueryContext(ctx, `SELECT job_order_id FROM rollup_job_orders WHERE scope = ? AND grouping = ?
			AND key = ? AND refs > 0 ORDER BY job_order_id`, scope, projections.ByAgency, key)
		if err != nil {
			return nil, fmt.Errorf("read model: job orders of agency %s: %w", key, err)
		}
		for rs.Next() {
			var id string
			if err := rs.Scan(&id); err != nil {
				rs.Close()
				return nil, fmt.Errorf("read model: job orders of agency %s: %w", key, err)
			}
			out[key] = append(out[key], id)
		}
		rs.Close()
		if err := rs.Err(); err != nil {
			return nil, fmt.Errorf("read model: job orders of agency %s: %w", key, err)
		}
	}
	return out, nil
}

// agencyFigures turns rows of the agency grouping into the figures scorecards are judged from, named from the
// context view: the months of wages from the rows' histograms, the money in a reporting currency from money's
// rollups when given.
func agencyFigures(rows map[string]*auditedRow, jobOrders map[string][]string, cv *projections.View,
	money *projections.CurrencyRollups) ([]projections.AgencyFigures, error) {
	names := map[string]string{}
	for key := range rows {
		names[key] = cv.OrganisationName(key)
	}
	audit := auditRows(rows, projections.ByAgency, names)
	if money != nil {
		money.Fill(audit)
	}
	out := make([]projections.AgencyFigures, 0, len(audit))
	for _, a := range audit {
		r := rows[a.Key]
		months, err := projections.CountMonths(r.Months)
		if err != nil {
			return nil, fmt.Errorf("rollup months of wages: %w", err)
		}
		with := 0
		for _, c := range months {
			with += c.Workers
		}
		a.MonthsOfWages = projections.SummariseMonthCounts(months, int(r.Workers)-with)
		out = append(out, projections.AgencyFigures{Row: a, SubstitutedWorkers: int(r.Substituted),
			JobOrderIDs: jobOrders[a.Key]})
	}
	return out, nil
}

// AgenciesUnder answers an agency query under a time filter at clock, as AuditUnder answers an audit: the
// workers replayed a shard at a time (see replayShards) into rollup rows held in memory.
func (m *Model) AgenciesUnder(ctx context.Context, store eventstore.Store, q projections.AgencyQuery,
	filter projections.Filter, clock time.Time) (projections.AgencyReport, error) {
	if q.EmployerID != "" {
		return projections.AgencyReport{}, ErrEmployerScope
	}
	want := wantedRows{{q.BuyerID, projections.ByAgency}: true}
	w := &writer{fresh: true, rows: map[rowKey]*row{}, only: want.keeps}
	cv, money, err := m.contributeUnder(ctx, store, w, want.buyers(), filter, clock,
		moneyFor(q.Currency, q.BuyerID, projections.ByAgency))
	if err != nil {
		return projections.AgencyReport{}, err
	}
	rows := map[string]*auditedRow{}
	jobOrders := map[string][]string{}
	for k, r := range w.rows {
		if k.scope != q.BuyerID || k.by != projections.ByAgency || q.AgencyID != "" && k.key != q.AgencyID {
			continue
		}
		for id, refs := range r.jobOrders {
			if refs > 0 {
				jobOrders[k.key] = append(jobOrders[k.key], id)
			}
		}
		slices.Sort(jobOrders[k.key])
		rows[k.key] = &auditedRow{row: r, jobOrders: len(jobOrders[k.key])}
	}
	figs, err := agencyFigures(rows, jobOrders, cv, money[0])
	if err != nil {
		return projections.AgencyReport{}, err
	}
	return cv.Scorecards(figs, q), nil
}
