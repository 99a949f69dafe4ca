package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"slices"
	"testing"

	"github.com/fairtrail/fairtrail/api"
	"github.com/fairtrail/fairtrail/api/keys"
	"github.com/fairtrail/fairtrail/projections"
	"github.com/fairtrail/fairtrail/projections/readmodel"
)

// walkTable reads a console table page by page, forwards by the next links to its end, then backwards by the
// previous links, and returns the rows each way in the table's order.
func walkTable[T any](t *testing.T, read func(cursor string) ([]T, api.TablePage)) (fwd, back []T) {
	t.Helper()
	cursor, prev := "", ""
	for n := 0; ; n++ {
		rows, p := read(cursor)
		if want := len(fwd) + 1; len(rows) > 0 && p.First != want {
			t.Fatalf("page %d starts at %d, want %d", n, p.First, want)
		}
		fwd, prev = append(fwd, rows...), p.Prev
		if p.Next == "" || n > 100 {
			break
		}
		cursor = p.Next
	}
	if len(fwd) > 0 {
		rows, _ := read(cursor)
		back = rows
	}
	for cursor = prev; cursor != ""; {
		rows, p := read(cursor)
		back, cursor = append(slices.Clone(rows), back...), p.Prev
	}
	return fwd, back
}

func asJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestConsoleTablesArePagesOfTheWholeTable: for every role, the audit and agencies pages walked forwards and
// backwards in each order are the whole audit and agency report in that order, with the whole clean list on
// every page; also as of a time, where the table is judged whole and cut.
func TestConsoleTablesArePagesOfTheWholeTable(t *testing.T) {
	t.Parallel()
	f, _ := seekFixture(t)
	ctx := context.Background()
	rd := f.srv.Reader()
	for _, key := range []string{"admin", "buyerA", "buyerB", "empA", "agA"} {
		who := f.who(key)
		for _, asOf := range []string{"", "2030-01-01"} {
			checkAuditTable(t, rd, who, asOf)
			checkAgencyTable(t, rd, who, asOf)
		}
	}
	_, _, _, err := rd.AuditPage(ctx, f.who("buyerA"), url.Values{"buyer": {"buyer-b"}}, "", 1)
	if !errors.Is(err, api.ErrNotFound) {
		t.Errorf("buyer-a reading buyer-b's audit: %v, want not found", err)
	}
	if _, _, err := rd.AgencyPage(ctx, f.who("buyerA"), url.Values{"buyer": {"buyer-b"}}, "", 1); !errors.Is(err, api.ErrNotFound) {
		t.Errorf("buyer-a reading buyer-b's agencies: %v, want not found", err)
	}
}

func checkAuditTable(t *testing.T, rd *api.Reader, who keys.Identity, asOf string) {
	t.Helper()
	ctx := context.Background()
	for _, by := range []string{projections.ByAgency, projections.ByJobOrder} {
		for _, sort := range readmodel.AuditSorts {
			q := url.Values{"by": {by}, "sort": {sort}}
			if asOf != "" {
				q.Set("as_of", asOf)
			}
			want, _, err := rd.Audit(ctx, who, q)
			if errors.Is(err, api.ErrNotFound) {
				return // a role without an audit
			}
			if err != nil {
				t.Fatal(err)
			}
			slices.SortStableFunc(want, readmodel.AuditOrder(sort))
			fwd, back := walkTable(t, func(cursor string) ([]projections.AuditRow, api.TablePage) {
				rows, _, p, err := rd.AuditPage(ctx, who, q, cursor, 1)
				if err != nil {
					t.Fatalf("%s %v: %v", who.Org, q, err)
				}
				if p.Total != len(want) {
					t.Fatalf("%s %v: total %d, want %d", who.Org, q, p.Total, len(want))
				}
				return rows, p
			})
			for name, got := range map[string][]projections.AuditRow{"forwards": fwd, "backwards": back} {
				if g, w := asJSON(t, got), asJSON(t, want); len(want) > 0 && g != w {
					t.Fatalf("%s %v, %s:\n got %s\nwant %s", who.Org, q, name, g, w)
				}
			}
		}
	}
}

func checkAgencyTable(t *testing.T, rd *api.Reader, who keys.Identity, asOf string) {
	t.Helper()
	ctx := context.Background()
	for _, sort := range projections.AgencySorts {
		q := url.Values{"sort": {sort}, "min_workers": {"1"}}
		if asOf != "" {
			q.Set("as_of", asOf)
		}
		want, err := rd.Agencies(ctx, who, q)
		if err != nil {
			t.Fatalf("%s %v: %v", who.Org, q, err)
		}
		fwd, back := walkTable(t, func(cursor string) ([]projections.AgencyScorecard, api.TablePage) {
			r, p, err := rd.AgencyPage(ctx, who, q, cursor, 1)
			if err != nil {
				t.Fatalf("%s %v: %v", who.Org, q, err)
			}
			if g, w := asJSON(t, r.CleanAgencies), asJSON(t, want.CleanAgencies); g != w || p.Total != len(want.Agencies) {
				t.Fatalf("%s %v: total %d (want %d), clean list %s, want %s", who.Org, q, p.Total, len(want.Agencies), g, w)
			}
			return r.Agencies, p
		})
		for name, got := range map[string][]projections.AgencyScorecard{"forwards": fwd, "backwards": back} {
			if g, w := asJSON(t, got), asJSON(t, want.Agencies); len(want.Agencies) > 0 && g != w {
				t.Fatalf("%s %v, %s:\n got %s\nwant %s", who.Org, q, name, g, w)
			}
		}
	}
}

// TestConsoleTableCursorsContinueOnlyTheirQuery: a cursor of one order, grouping or table does not continue
// another, and a forged one is refused, naming the cursor.
func TestConsoleTableCursorsContinueOnlyTheirQuery(t *testing.T) {
	t.Parallel()
	f, _ := seekFixture(t)
	ctx := context.Background()
	rd, who := f.srv.Reader(), f.who("admin")
	q := url.Values{"by": {projections.ByAgency}, "sort": {readmodel.AuditByWorkers}}
	_, _, p, err := rd.AuditPage(ctx, who, q, "", 1)
	if err != nil || p.Next == "" {
		t.Fatalf("first page: %+v, %v", p, err)
	}
	_, ap, err := rd.AgencyPage(ctx, who, url.Values{}, "", 1)
	if err != nil || ap.Next == "" {
		t.Fatalf("first agencies page: %+v, %v", ap, err)
	}
	for name, tc := range map[string]struct {
		q      url.Values
		cursor string
	}{
		"another order":        {url.Values{"by": {projections.ByAgency}, "sort": {readmodel.AuditByKey}}, p.Next},
		"another grouping":     {url.Values{"by": {projections.ByBuyer}, "sort": {readmodel.AuditByWorkers}}, p.Next},
		"the agencies' cursor": {q, ap.Next},
		"forged":               {q, "eyJrIjoiY29uc29sZS5hdWRpdCJ9.AAAA"},
	} {
		if _, _, _, err := rd.AuditPage(ctx, who, tc.q, tc.cursor, 1); err == nil || api.PublicMessage(err) == "" {
			t.Errorf("%s: read (%v)", name, err)
		}
	}
	if _, _, _, err := rd.AuditPage(ctx, who, url.Values{"sort": {"colour"}}, "", 1); err == nil {
		t.Error("an unknown order was read")
	}
}
