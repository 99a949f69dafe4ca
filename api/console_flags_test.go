package api_test

import (
	"context"
	"errors"
	"maps"
	"net/url"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/api"
	"github.com/fairtrail/fairtrail/api/keys"
	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections/readmodel"
)

// seekKeys are the keys whose listings the seek tests read: every role, an auditor of two buyers, and
// agencies engaged on a job order, paid on one, or recruiting without being disclosed.
var seekKeys = []string{"admin", "buyerA", "buyerB", "auditorA", "auditorNone", "empA", "empB", "agA", "agB", "subA"}

// seekFixture is the scenario served at a fixed clock, and the reference its listings from the flag index are
// compared with: the same query as of that clock, which every event of the scenario passes, answered by
// replaying every worker from its streams and checking each flag against the caller's scope on the view it was
// judged in.
func seekFixture(t testing.TB) (*fixture, reference) {
	now := time.Now().UTC().Truncate(time.Second).Add(time.Second)
	f := newFixture(t, true, withNow(now))
	if err := f.keys.Grant("aud-1", "buyer-b"); err != nil { // an auditor of two buyers
		t.Fatal(err)
	}
	// ag-b, engaged on jo-b only, pays jo-a's employer: a reverse fee listed under agency:ag-b that ag-b, not
	// party to jo-a, may not read.
	f.mustPost("admin", []any{ev(uuid(900), "JobOrderPaymentMade", "2024-01-05T00:00:00Z", map[string]any{
		"job_order_id": "jo-a", "payer_id": "ag-b", "payee_id": "emp-a",
		"amount": map[string]any{"amount": "500.00", "currency": "USD"}})})
	return f, reference{rd: f.srv.Reader(), asOf: now.Format(time.RFC3339)}
}

// reference answers a query as of the fixture's clock (see seekFixture).
type reference struct {
	rd   *api.Reader
	asOf string
}

func (r reference) query(q url.Values) url.Values {
	q = maps.Clone(q)
	if q == nil {
		q = url.Values{}
	}
	q.Set("as_of", r.asOf)
	return q
}

// Flags is the listing of q as of the clock.
func (r reference) Flags(ctx context.Context, who keys.Identity, q url.Values) ([]domain.Flag, error) {
	return r.rd.Flags(ctx, who, r.query(q))
}

// Overview is the overview of q as of the clock.
func (r reference) Overview(ctx context.Context, who keys.Identity, q url.Values) (api.Overview, error) {
	return r.rd.Overview(ctx, who, r.query(q))
}

func (f *fixture) who(key string) keys.Identity {
	f.t.Helper()
	who, err := f.keys.Authenticate(f.key[key])
	if err != nil {
		f.t.Fatal(err)
	}
	return who
}

// TestSeekingWithinScopeListsWhatTheCallerMayRead: for every role, the listing read from the flag index
// within the caller's scope (whole, in API pages, in console pages forwards and backwards) is the listing
// of the in-memory model checked flag by flag, with the same total and counts by month.
func TestSeekingWithinScopeListsWhatTheCallerMayRead(t *testing.T) {
	f, plain := seekFixture(t)
	ctx := context.Background()
	queries := []url.Values{{}, {"code": {"fee."}}, {"agency": {"ag-a"}}, {"employer": {"emp-a"}}}
	listed := 0
	for _, key := range seekKeys {
		for _, q := range queries {
			who := f.who(key)
			want, err := plain.Flags(ctx, who, q)
			if err != nil {
				t.Fatalf("%s %v in memory: %v", key, q, err)
			}
			listed += len(want)
			got, err := f.srv.Reader().Flags(ctx, who, q)
			if err != nil {
				t.Fatalf("%s %v: %v", key, q, err)
			}
			if g, w := normalJSON(t, got), normalJSON(t, want); g != w {
				t.Errorf("%s %v from the index:\n got %s\nwant %s", key, q, g, w)
			}
			api := pages(t, f, key, url.Values{"page_size": {"2"}, "code": {q.Get("code")}, "agency": {q.Get("agency")},
				"employer": {q.Get("employer")}})
			if len(api) != len(want) {
				t.Errorf("%s %v: API pages list %d flags, want %d", key, q, len(api), len(want))
			}
			walkConsolePages(t, f.srv.Reader(), who, q, want)
			o, err := f.srv.Reader().Overview(ctx, who, url.Values{})
			if err != nil {
				t.Fatal(err)
			}
			if len(q) == 0 && normalCounts(t, o.Months) != normalCounts(t, readmodel.CountByMonth(want)) {
				t.Errorf("%s: overview counts %v, want %v", key, o.Months, readmodel.CountByMonth(want))
			}
		}
	}
	if listed == 0 {
		t.Fatal("no listing selected a flag")
	}
}

func normalCounts(t *testing.T, c []readmodel.FlagCount) string {
	if len(c) == 0 {
		return "[]"
	}
	return string(mustJSON(t, c))
}

// walkConsolePages follows the console's next cursors in pages of two, then its previous cursors back, and
// compares both walks and every page's total and place with the listing.
func walkConsolePages(t *testing.T, rd *api.Reader, who keys.Identity, q url.Values, want []domain.Flag) {
	t.Helper()
	ctx := context.Background()
	var forward []domain.Flag
	var cursors []string
	cursor := ""
	for range 100 {
		p, err := rd.FlagPage(ctx, who, q, cursor, 2)
		if err != nil {
			t.Fatalf("%v page at %q: %v", q, cursor, err)
		}
		if p.Total != len(want) || p.First != len(forward)+1 {
			t.Fatalf("%s %v: page total %d from %d, want %d from %d", who.Org, q, p.Total, p.First, len(want), len(forward)+1)
		}
		cursors = append(cursors, p.Prev)
		forward = append(forward, p.Flags...)
		if p.Next == "" {
			break
		}
		cursor = p.Next
	}
	if g, w := normalJSON(t, forward), normalJSON(t, want); g != w {
		t.Fatalf("%s %v by console pages:\n got %s\nwant %s", who.Org, q, g, w)
	}
	var backward []domain.Flag
	for cursor := cursors[len(cursors)-1]; cursor != ""; {
		p, err := rd.FlagPage(ctx, who, q, cursor, 2)
		if err != nil {
			t.Fatal(err)
		}
		backward = append(append([]domain.Flag{}, p.Flags...), backward...)
		cursor = p.Prev
	}
	from := len(forward) - len(forward[(len(cursors)-1)*2:])
	if g, w := normalJSON(t, backward), normalJSON(t, forward[:from]); g != w && len(backward)+from > 0 {
		t.Fatalf("%s %v by console pages backwards:\n got %s\nwant %s", who.Org, q, g, w)
	}
}

// TestConsoleOverviewFromMaintainedState: the overview's totals and worst groups read from the model's
// maintained rows are those of the audits judged in memory.
func TestConsoleOverviewFromMaintainedState(t *testing.T) {
	f, plain := seekFixture(t)
	ctx := context.Background()
	for _, key := range []string{"admin", "buyerA", "buyerB", "auditorA"} {
		for _, q := range []url.Values{{}, {"buyer": {"buyer-b"}}} {
			who := f.who(key)
			want, werr := plain.Overview(ctx, who, q)
			got, err := f.srv.Reader().Overview(ctx, who, q)
			if !errors.Is(err, werr) && (err == nil) != (werr == nil) {
				t.Fatalf("%s %v: %v, want %v", key, q, err, werr)
			}
			if g, w := string(mustJSON(t, got)), string(mustJSON(t, want)); g != w {
				t.Errorf("%s %v:\n got %.400s\nwant %.400s", key, q, g, w)
			}
		}
	}
}

// FuzzFlagCursor: a console cursor from outside is a page of its listing or refused as invalid, never a
// failure of another kind.
func FuzzFlagCursor(f *testing.F) {
	fx := newFixture(f, true)
	rd, who := fx.srv.Reader(), fx.who("admin")
	p, err := rd.FlagPage(context.Background(), who, url.Values{}, "", 2)
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"", p.Next, p.Next + "x", "eyJrIjoiY29uc29sZS5mbGFncyJ9.AAAA", "x.y", "."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, cursor string) {
		_, err := rd.FlagPage(context.Background(), who, url.Values{}, cursor, 2)
		if err != nil && !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("cursor %q: %v, want a page or an invalid cursor", cursor, err)
		}
	})
}

// TestConsoleNamesAWorkerUnderTheTimeFilterAsTheAPIDoes: a worker named in the flags page's query is looked for
// as of the page's time, as GET /v1/flags looks for it: before its first event it is not found, in both.
func TestConsoleNamesAWorkerUnderTheTimeFilterAsTheAPIDoes(t *testing.T) {
	f, _ := seekFixture(t)
	ctx := context.Background()
	for _, tc := range []struct {
		asOf  string
		found bool
	}{{"2024-02-01", false}, {"2024-06-01", true}} {
		for _, key := range []string{"admin", "buyerA"} {
			q := url.Values{"worker": {"w-a1"}, "as_of": {tc.asOf}}
			status := f.get("/v1/flags?"+q.Encode(), key).Code
			_, err := f.srv.Reader().FlagPage(ctx, f.who(key), q, "", 10)
			if (status == 200) != tc.found || (err == nil) != tc.found {
				t.Errorf("%s, w-a1 as of %s: API %d, console %v; want found=%v in both", key, tc.asOf, status, err, tc.found)
			}
			if err != nil && !errors.Is(err, api.ErrNotFound) {
				t.Errorf("%s, w-a1 as of %s: console %v, want not found", key, tc.asOf, err)
			}
		}
	}
}
