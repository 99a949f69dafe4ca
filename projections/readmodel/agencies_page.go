package readmodel

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
)

// agencyOrders are the orders of projections.AgencySorts as the rollups keep them, each read from an index:
// the risk order without a reporting currency (whose converted fees break its ties, and are not kept), by
// workers, and by name (orgs' lower-case name, then name, then id; the agencies without a name after, by id).
var agencyOrders = map[string]rollupOrder{
	projections.SortRisk: {segments: []segment{{from: "rollups r INDEXED BY rollups_risk", terms: []term{{expr: shareFlaggedSQL, desc: true},
		{expr: shareSubstitutedSQL, desc: true}, {expr: "flagged_workers", desc: true}, keyTerm}}},
		corrected: func(key string, r *auditedRow) []any {
			return []any{shareOf(r.Flagged, r.Workers), shareOf(r.Substituted, r.Workers), r.Flagged, key}
		}},
	projections.SortWorkers: {segments: rollupsOnly("workers", "rollups_workers")},
	projections.SortName: {segments: []segment{
		// CROSS JOIN keeps orgs the outer loop, so that the seek walks orgs_name and looks each row up.
		{from: "orgs o CROSS JOIN rollups r ON r.key = o.org_id", where: "o.name != ''",
			terms: []term{{expr: "o.sort_name"}, {expr: "o.name"}, {expr: "o.org_id"}}},
		{from: "rollups r", where: "NOT EXISTS (SELECT 1 FROM orgs o WHERE o.org_id = r.key AND o.name != '')",
			terms: []term{keyTerm}},
	}},
}

// shareOf is shareFlaggedSQL's value in Go.
func shareOf(n, of int64) float64 {
	if of == 0 {
		return 0
	}
	return float64(n) / float64(of)
}

// PagedAgencies reports whether AgencyPage answers a query by seeking: one in a buyer's scope or every
// supply chain's, in an order the rollups keep (not the risk order in a reporting currency).
func PagedAgencies(q projections.AgencyQuery) bool {
	return q.EmployerID == "" && q.AgencyID == "" && !(q.Currency != "" && cmp.Or(q.Sort, projections.SortRisk) == projections.SortRisk)
}

// AgencyPage is a page of the agencies' scorecards.
type AgencyPage struct {
	// Report holds the page's scorecards, in the query's order, and the whole clean list.
	Report projections.AgencyReport
	// Total counts the scorecards of the whole report.
	Total int
	// Positions are the places of the page's scorecards in the order, for the cursors of the pages around.
	Positions []Position
	// More says whether scorecards lie beyond the page in the direction it was read.
	More bool
}

// AgencyPage reads a window of an agency report at clock (Model.Agencies' scorecards, in the query's order)
// and its whole clean list from the maintained rollups: the page's agencies by seeking in the index of the
// order, the clean ones by a condition on the rows' counts, and only those agencies' job orders and context.
// It answers the queries PagedAgencies accepts.
func (m *Model) AgencyPage(ctx context.Context, q projections.AgencyQuery, w Window, clock time.Time) (AgencyPage, error) {
	if !PagedAgencies(q) {
		return AgencyPage{}, fmt.Errorf("agencies: %w: not kept for this query", ErrSort)
	}
	order, ok := agencyOrders[cmp.Or(q.Sort, projections.SortRisk)]
	if !ok {
		return AgencyPage{}, fmt.Errorf("agencies: order %q: %w", q.Sort, ErrSort)
	}
	if err := m.keep(ctx, q.Currency); err != nil {
		return AgencyPage{}, err
	}
	tx, err := m.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return AgencyPage{}, fmt.Errorf("read model: agency page: %w", err)
	}
	defer tx.Rollback()
	var p AgencyPage
	if p.Total, err = countRows(ctx, tx, q.BuyerID, projections.ByAgency); err != nil {
		return p, err
	}
	corr, err := clockCorrections(ctx, tx, q.BuyerID, projections.ByAgency, clock)
	if err != nil {
		return p, err
	}
	placed, more, err := order.page(ctx, tx, q.BuyerID, projections.ByAgency, corr, w.From, w.Back, w.Size)
	if err != nil {
		return p, err
	}
	if w.Back {
		slices.Reverse(placed)
	}
	onPage := map[string]bool{}
	keys := []string{}
	for _, pl := range placed {
		onPage[pl.key], keys, p.Positions = true, append(keys, pl.key), append(p.Positions, pl.pos)
	}
	clean, err := cleanCandidates(ctx, tx, q, corr)
	if err != nil {
		return p, err
	}
	for _, k := range clean {
		if !onPage[k] {
			keys = append(keys, k)
		}
	}
	if p.Report, err = scorecards(ctx, tx, q, keys, corr, clock); err != nil {
		return p, err
	}
	p.Report.Agencies = slices.DeleteFunc(p.Report.Agencies, func(s projections.AgencyScorecard) bool { return !onPage[s.AgencyID] })
	p.More = more
	return p, nil
}

// cleanCandidates are the agencies of a query's scope that may be clean (projections.CleanExcludes): those
// whose stored counts keep none off the clean list, and those the read's clock corrects, which the
// scorecards judge.
func cleanCandidates(ctx context.Context, tx *sql.Tx, q projections.AgencyQuery, corr map[string]*correction) ([]string, error) {
	cond := []string{"scope = ?", "grouping = ?", "workers > 0", "workers >= ?"}
	for i, code := range domain.FlagCodes {
		if slices.ContainsFunc(projections.CleanExcludes, func(p string) bool { return strings.HasPrefix(code, p) }) {
			cond = append(cond, "coalesce(json_extract(flags, '$["+strconv.Itoa(i)+"]'), 0) = 0")
		}
	}
	rs, err := tx.QueryContext(ctx, "SELECT key FROM rollups WHERE "+strings.Join(cond, " AND "), q.BuyerID,
		projections.ByAgency, q.MinWorkers)
	if err != nil {
		return nil, fmt.Errorf("read model: clean agencies: %w", err)
	}
	defer rs.Close()
	var out []string
	for rs.Next() {
		var k string
		if err := rs.Scan(&k); err != nil {
			return nil, fmt.Errorf("read model: clean agencies: %w", err)
		}
		if corr[k] == nil {
			out = append(out, k)
		}
	}
	for k := range corr {
		out = append(out, k)
	}
	return out, rs.Err()
}
