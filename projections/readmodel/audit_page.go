package readmodel

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/fairtrail/fairtrail/projections"
)

// Orders of an audit page (AuditSorts): by key, or by a count, largest first; ties by key.
const (
	AuditByKey       = "key"
	AuditByWorkers   = "workers"
	AuditByFlagged   = "flagged"
	AuditByJobOrders = "joborders"
)

// AuditSorts lists the orders an audit is paged in, the first the default.
var AuditSorts = []string{AuditByKey, AuditByWorkers, AuditByFlagged, AuditByJobOrders}

var keyTerm = term{expr: "key"}

// rollupsOnly is the segment of an order over the rollups alone, by a column (none: by key, the primary key)
// and then key, read from the index on them: named, since without statistics SQLite may prefer to range over
// the primary key and sort.
func rollupsOnly(column, index string) []segment {
	if column == "" {
		return []segment{{from: "rollups r", terms: []term{keyTerm}}}
	}
	return []segment{{from: "rollups r INDEXED BY " + index, terms: []term{{expr: column, desc: true}, keyTerm}}}
}

// auditOrders are the orders of AuditSorts, each read from an index (the key's is the primary key).
var auditOrders = map[string]rollupOrder{
	AuditByKey:     {segments: rollupsOnly("", "")},
	AuditByWorkers: {segments: rollupsOnly("workers", "rollups_workers")},
	AuditByFlagged: {segments: rollupsOnly("flagged_workers", "rollups_flagged"),
		corrected: func(key string, r *auditedRow) []any { return []any{r.Flagged, key} }},
	AuditByJobOrders: {segments: rollupsOnly("job_orders", "rollups_job_orders")},
}

// AuditOrder is the comparison of an order of AuditSorts (AuditByKey for one it does not name), as the index
// of the order sorts: for an audit judged whole.
func AuditOrder(sort string) func(a, b projections.AuditRow) int {
	by := map[string]func(a, b projections.AuditRow) int{
		AuditByWorkers:   func(a, b projections.AuditRow) int { return cmp.Compare(b.Workers, a.Workers) },
		AuditByFlagged:   func(a, b projections.AuditRow) int { return cmp.Compare(b.FlaggedWorkers, a.FlaggedWorkers) },
		AuditByJobOrders: func(a, b projections.AuditRow) int { return cmp.Compare(b.JobOrders, a.JobOrders) },
	}[sort]
	return func(a, b projections.AuditRow) int {
		if by != nil {
			if c := by(a, b); c != 0 {
				return c
			}
		}
		return cmp.Compare(a.Key, b.Key)
	}
}

// AuditPage is a page of an audit's table.
type AuditPage struct {
	Rows []projections.AuditRow
	// Total counts the table's rows.
	Total int
	// Positions are the places of Rows in the order, for the cursors of the pages around.
	Positions []Position
	// More says whether rows lie beyond the page in the direction it was read.
	More bool
}

// AuditPage reads a window of an audit at clock (Model.Audit's rows, in the window's order, AuditByKey when
// it names none) from the maintained rollups, seeking in the index of its order: the page's rows and those
// the read's clock corrects are read, never the whole table, so a page costs the same at any size (in a
// reporting currency too, once the model keeps it: see keep).
func (m *Model) AuditPage(ctx context.Context, q projections.AuditQuery, w Window, clock time.Time) (AuditPage, error) {
	by, err := grouping(q)
	if err != nil {
		return AuditPage{}, err
	}
	order, ok := auditOrders[cmp.Or(w.Sort, AuditByKey)]
	if !ok {
		return AuditPage{}, fmt.Errorf("audit: order %q: %w", w.Sort, ErrSort)
	}
	if err := m.keep(ctx, q.Currency); err != nil {
		return AuditPage{}, err
	}
	tx, err := m.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return AuditPage{}, fmt.Errorf("read model: audit page: %w", err)
	}
	defer tx.Rollback()
	var p AuditPage
	if p.Total, err = countRows(ctx, tx, q.BuyerID, by); err != nil {
		return p, err
	}
	corr, err := clockCorrections(ctx, tx, q.BuyerID, by, clock)
	if err != nil {
		return p, err
	}
	placed, more, err := order.page(ctx, tx, q.BuyerID, by, corr, w.From, w.Back, w.Size)
	if err != nil {
		return p, err
	}
	if w.Back {
		slices.Reverse(placed)
	}
	keys := make([]string, len(placed))
	for i, pl := range placed {
		keys[i], p.Positions = pl.key, append(p.Positions, pl.pos)
	}
	rows, err := readRows(ctx, tx, q.BuyerID, by, keys, false)
	if err != nil {
		return p, err
	}
	correct(rows, corr)
	names, err := orgNames(ctx, tx, keys)
	if err != nil {
		return p, err
	}
	p.Rows, p.More = inOrder(auditRows(rows, by, names), keys), more
	if q.Currency != "" && len(p.Rows) > 0 {
		err = inCurrency(ctx, tx, p.Rows, q, by, clock)
	}
	return p, err
}

// inOrder puts rows in the order of keys.
func inOrder(rows []projections.AuditRow, keys []string) []projections.AuditRow {
	at := map[string]int{}
	for i, k := range keys {
		at[k] = i
	}
	slices.SortFunc(rows, func(a, b projections.AuditRow) int { return at[a.Key] - at[b.Key] })
	return rows
}
