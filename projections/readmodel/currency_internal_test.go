package readmodel

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/projections"
)

// TestAuditInAKeptCurrencyAnswersAsConvertingEveryLedger: on a generated dataset, whose rates tables change
// from day to day, an audit in a currency the model keeps (rollup_money, written by a catch-up, a Track over a
// populated model and the catch-ups after it) gives byte for byte the figures of converting every stored
// ledger in scope (scanCurrency, the path of a currency not kept), for every grouping, scope and clock. The
// dataset ends with testdata/months_boundary.ndjson, whose job order jo-months has four workers of six who
// paid more than one month's wage, five of them with the figure 1.00: both paths count those four.
func TestAuditInAKeptCurrencyAnswersAsConvertingEveryLedger(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	lines, s, m := generatedStore(t, 150, 7, Options{Currencies: []string{"MYR"}})
	boundary, err := os.ReadFile(filepath.Join("testdata", "months_boundary.ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	lines = append(lines, boundary)
	for i, part := range [][][]byte{lines[:len(lines)/2], lines[len(lines)/2 : len(lines)*3/4], lines[len(lines)*3/4:]} {
		if _, err := eventstore.Import(ctx, s, bytes.NewReader(bytes.Join(part, nil)), eventstore.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		if _, err := m.CatchUp(ctx, s); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			if err := m.Track(ctx, "USD"); err != nil {
				t.Fatal(err)
			}
		}
	}
	book, err := m.Rates(ctx)
	if err != nil || book.Len() < 10 {
		t.Fatalf("rates tables: %d, %v; want rates that change over time", book.Len(), err)
	}
	converted, boundaryRows := 0, 0
	for _, cur := range []string{"USD", "MYR"} {
		for _, scope := range []string{"", "buyer-1", "buyer-2"} {
			for _, by := range projections.Groupings {
				for _, clock := range auditClocks {
					q := projections.AuditQuery{BuyerID: scope, By: by, Currency: cur}
					got, err := m.Audit(ctx, q, clock)
					if err != nil {
						t.Fatal(err)
					}
					want := scanned(t, m, got, q, by, clock)
					for _, r := range got {
						if !r.Converted.WorkerPaid.Amount.Decimal().IsZero() {
							converted++
						}
					}
					if g, w := jsonOf(t, got), jsonOf(t, want); g != w {
						t.Fatalf("audit %+v at %s:\n got %.1500s\nwant %.1500s", q, clock, g, w)
					}
					if by == projections.ByJobOrder && scope != "buyer-1" {
						boundaryRows += checkBoundaryRow(t, got)
					}
				}
			}
		}
	}
	if converted == 0 {
		t.Error("no row converted any fee: the comparison proves nothing")
	}
	if boundaryRows == 0 {
		t.Error("no audit by job order has a row of jo-months")
	}
}

// checkBoundaryRow checks the months of wages of the row of jo-months in rows, if there is one (1 when there
// is): four of its six workers paid more than one month's wage.
func checkBoundaryRow(t *testing.T, rows []projections.AuditRow) int {
	t.Helper()
	for _, r := range rows {
		if r.Key != "jo-months" {
			continue
		}
		if m := r.MonthsOfWages; m == nil || m.WorkersWithFigure != 6 || m.WorkersAboveOneMonth != 4 {
			t.Errorf("months of wages of jo-months: %+v, want 4 workers above one month of 6", m)
		}
		return 1
	}
	return 0
}

// auditClocks are the clocks the audits are compared at: before the generated data, within it and after
// every reimbursement deadline.
var auditClocks = []time.Time{time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC),
	time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}

// scanned is rows (an audit's) with their money converted from every stored ledger in scope instead.
func scanned(t *testing.T, m *Model, rows []projections.AuditRow, q projections.AuditQuery, by string,
	clock time.Time) []projections.AuditRow {
	t.Helper()
	out := make([]projections.AuditRow, len(rows))
	for i, r := range rows {
		r.Converted, r.MonthsOfWages = nil, nil
		out[i] = r
	}
	tx, err := m.db.BeginTx(context.Background(), &sql.TxOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if err := scanCurrency(context.Background(), tx, out, q, by, clock); err != nil {
		t.Fatal(err)
	}
	return out
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
