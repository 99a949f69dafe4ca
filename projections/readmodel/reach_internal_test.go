package readmodel

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/embedded"
)

// reachClock is the clock of the models compared: both count the same clocked flags.
var reachClock = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

// reachOptions are the options of the models compared: money kept in USD (rollup_money, money_totals), and a
// share that lets every reach be judged one by one, unless share says otherwise.
func reachOptions(share float64) Options {
	return Options{Now: func() time.Time { return reachClock }, Currencies: []string{"USD"}, ReachShare: share}
}

// contextEvent is an NDJSON line of an event posted by the tests, its id numbered n.
func contextEvent(n int, typ, occurred, data string) string {
	return fmt.Sprintf(`{"event_id":"0190b6a4-0000-7000-8000-%012d","type":%q,"occurred_at":%q,"data":%s}`+"\n",
		n, typ, occurred, data)
}

func policy(n int, id, scope, rules string) string {
	return contextEvent(n, "PolicyAdopted", "2023-01-03T00:00:00Z", `{"authority":"buyer code","effective_from":"2020-01-01",`+
		`"name":"test policy","policy_id":"`+id+`","repayment_days":30,"rules":`+rules+`,"scope":`+scope+`}`)
}

func organisation(n int, id, role, licence string) string {
	return contextEvent(n, "OrganisationRegistered", "2023-02-01T00:00:00Z", `{"country":"PH","name":"Org `+id+`",`+
		licence+`"org_id":"`+id+`","role":"`+role+`"}`)
}

func licenceTo(until string) string {
	return `"licence":{"authority":"DMW","number":"L-1","valid_until":"` + until + `"},`
}

// reachSteps are posted one after the other to a model of a generated dataset (20 workers recruited for one
// job order of buyers 2, 3 and 4, worksite in TW, from PH, by sub-ph-3 and agency-ph-2; documents held by
// emp-tw-1 and agency-tw-2). reason is the rebuild expected ("" for a catch-up); changes says the
// step changes the flags.
var reachSteps = []struct {
	name    string
	lines   []string
	reason  string
	changes bool
}{
	{"a buyer's cap in another currency", []string{policy(1, "pol-test-buyer-3", `{"buyer_id":"buyer-3"}`,
		`[{"category":"recruitment_fee","max":{"amount":"5000.00","currency":"TWD"}}]`)}, "", true},
	{"a policy of an origin and a destination", []string{policy(2, "pol-test-ph-tw", `{"destination":"TW","origin":"PH"}`,
		`[{"category":"*","max":{"amount":"100.00","currency":"USD"}}]`)}, "", true},
	{"a buyer of no job order", []string{policy(3, "pol-test-buyer-9", `{"buyer_id":"buyer-9"}`,
		`[{"category":"*","max":{"amount":"0","currency":"USD"}}]`)}, "", false},
	{"a policy adopted again for another buyer", []string{policy(4, "pol-test-buyer-3", `{"buyer_id":"buyer-9"}`,
		`[{"category":"recruitment_fee","max":{"amount":"5000.00","currency":"TWD"}}]`)}, "", true},
	{"a retirement", []string{contextEvent(5, "PolicyRetired", "2023-01-04T00:00:00Z",
		`{"effective_to":"2023-01-04","policy_id":"pol-buyer-2-employer-pays"}`)}, "", true},
	{"a policy of an origin alone", []string{policy(6, "pol-test-ph", `{"origin":"PH"}`,
		`[{"category":"documents","max":{"amount":"0","currency":"PHP"}}]`)}, "", true},
	{"an organisation without a licence", []string{organisation(7, "sub-ph-3", "sub_agent", "")}, "", true},
	{"a licence that expired before the recruitment", []string{organisation(8, "sub-ph-3", "sub_agent", licenceTo("2020-01-01"))}, "", true},
	{"a retainer now holding documents for the worker", []string{organisation(10, "agency-tw-2", "auditor", "")}, "", true},
	{"an organisation nobody names", []string{organisation(11, "agency-new", "agency", "")}, "", false},
	{"a payment by an unknown organisation", []string{contextEvent(12, "JobOrderPaymentMade", "2023-09-01T00:00:00Z",
		`{"amount":{"amount":"900.00","currency":"USD"},"job_order_id":"jo-0001","payee_id":"emp-tw-1","payer_id":"pay-x"}`)}, "", true},
	{"its payer registered as an employer", []string{organisation(13, "pay-x", "employer", "")}, "", true},
	{"policies and organisations together", []string{
		organisation(14, "sub-ph-3", "sub_agent", licenceTo("2031-01-01")), // an organisation with a licence
		policy(15, "pol-test-buyer-4", `{"buyer_id":"buyer-4"}`, `[{"category":"*","max":{"amount":"0","currency":"TWD"}}]`),
	}, "", true},
	{"a job order's closure, which judges none of its workers again", []string{contextEvent(18, "JobOrderClosed",
		"2024-03-01T00:00:00Z", `{"job_order_id":"jo-0001","reason":"filled"}`)}, "", false},
	{"a holder for the worker now a retainer", []string{organisation(16, "agency-tw-2", "agency", "")}, ReasonHolderRole, true},
	{"a rates table changing a cap's conversion and months of wages", []string{contextEvent(17, "ExchangeRatesPublished",
		"2023-10-24T00:00:00Z", `{"base":"USD","date":"2023-10-24","rates":{"PHP":"10","TWD":"31"},"rates_id":"test-rates","source":"test"}`)},
		ReasonRates, true},
}

// TestContextEventsCatchUpAsARebuild posts each kind of policy, organisation and rates event to a caught-up
// model, which judges the workers they reach again a few at a time, and compares the model caught up with
// each with a model rebuilt from scratch over the same events, table by table.
func TestContextEventsCatchUpAsARebuild(t *testing.T) {
	t.Parallel()
	caught := reachOptions(1)
	caught.ShardEvents = 96 // workers judged again six at a time
	lines, s, m := generatedStore(t, 20, 3, caught)
	ctx := context.Background()
	importReach(t, s, lines)
	if _, err := m.CatchUp(ctx, s); err != nil {
		t.Fatal(err)
	}
	for _, st := range reachSteps {
		flagsBefore := dumpRows(t, m.db, "SELECT k, event_ids, rest FROM flags ORDER BY k")
		importReach(t, s, st.lines)
		res, err := m.CatchUp(ctx, s)
		if err != nil {
			t.Fatalf("%s: catch up: %v", st.name, err)
		}
		if res.Reason != st.reason || (st.reason == "") == res.Rebuilt {
			t.Fatalf("%s: catch-up %+v, want reason %q", st.name, res, st.reason)
		}
		if changed := dumpRows(t, m.db, "SELECT k, event_ids, rest FROM flags ORDER BY k") != flagsBefore; changed != st.changes {
			t.Errorf("%s: flags changed %v, want %v (the step would not test its reach)", st.name, changed, st.changes)
		}
		fresh, err := Open(t.TempDir(), reachOptions(1))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fresh.CatchUp(ctx, s); err != nil {
			t.Fatal(err)
		}
		sameTables(t, st.name, m, fresh)
		fresh.Close()
	}
}

// TestAReachPastTheShareRebuilds: a policy scoped to an origin alone reaches every worker, past the default
// share, and rebuilds; a buyer's policy reaching a few of them under a lower share rebuilds as well.
func TestAReachPastTheShareRebuilds(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		share float64
		line  string
	}{
		{"an origin's policy at the default share", 0, policy(1, "pol-test-ph", `{"origin":"PH"}`,
			`[{"category":"documents","max":{"amount":"0","currency":"PHP"}}]`)},
		{"a buyer's policy under a share of a tenth", 0.1, policy(1, "pol-test-buyer-3", `{"buyer_id":"buyer-3"}`,
			`[{"category":"*","max":{"amount":"0","currency":"USD"}}]`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			lines, s, m := generatedStore(t, 20, 3, reachOptions(tc.share))
			importReach(t, s, lines)
			ctx := context.Background()
			if _, err := m.CatchUp(ctx, s); err != nil {
				t.Fatal(err)
			}
			importReach(t, s, []string{tc.line})
			if res, err := m.CatchUp(ctx, s); err != nil || res.Reason != ReasonReachesMany {
				t.Fatalf("catch-up: %+v, %v; want a rebuild for %q", res, err, ReasonReachesMany)
			}
		})
	}
}

func importReach[L []byte | string](t *testing.T, s *embedded.Store, lines []L) {
	t.Helper()
	var buf bytes.Buffer
	for _, l := range lines {
		buf.WriteString(string(l))
	}
	if _, err := eventstore.Import(context.Background(), s, &buf, eventstore.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
}

// tableQueries read the tables whose rows name ids a catch-up and a rebuild may give in another order:
// flag_rules' and scopes' ids replaced by what they name. Every other table is read whole, its rows sorted;
// flag_raised, a counter a rebuild adds to, is left out.
var tableQueries = map[string]string{
	"flags": `SELECT hex(f.k), f.code, f.worker_id, f.job_order_id, f.buyer_ids, f.event_ids, f.raised_s, f.raised_n,
		f.clocked, r.rules, f.rest FROM flags f LEFT JOIN flag_rules r ON r.id = f.rules ORDER BY f.k`,
	"flag_scopes": "SELECT s.name, hex(f.k) FROM flag_scopes f JOIN scopes s ON s.id = f.scope ORDER BY 1, 2",
	"flag_rules":  "",
	"scopes":      "",
	"flag_raised": "",
}

// ruleRef is a flag's reference to its rules in flag_rules, within its stored JSON.
var ruleRef = regexp.MustCompile(`"rules":[0-9]+`)

// sameTables fails the test where a table of got differs from want's.
func sameTables(t *testing.T, step string, got, want *Model) {
	t.Helper()
	tables := strings.Fields(dumpRows(t, want.db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"))
	if len(tables) < 20 {
		t.Fatalf("the model has tables %v", tables)
	}
	for _, table := range tables {
		query, ok := tableQueries[table]
		if ok && query == "" {
			continue
		}
		if !ok {
			query = "SELECT * FROM " + table
		}
		g, w := sortedLines(dumpRows(t, got.db, query)), sortedLines(dumpRows(t, want.db, query))
		if table == "flags" { // a flag's rules are compared by their text, not by their id in flag_rules
			g, w = ruleRef.ReplaceAllString(g, `"rules":#`), ruleRef.ReplaceAllString(w, `"rules":#`)
		}
		if g != w {
			t.Errorf("%s: table %s caught up differs from a rebuild's:\n%s", step, table, lineDiff(g, w))
		}
	}
}

// sortedLines sorts a dump's lines.
func sortedLines(dump string) string {
	ls := strings.Split(dump, "\n")
	slices.Sort(ls)
	return strings.Join(ls, "\n")
}

// lineDiff shows the first line where two dumps differ.
func lineDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	i := firstDiff(g, w)
	line := func(ls []string) string {
		if i < len(ls) {
			return ls[i]
		}
		return "(none)"
	}
	gl, wl := line(g), line(w)
	at := 0
	for at < min(len(gl), len(wl)) && gl[at] == wl[at] {
		at++
	}
	from := max(at-200, 0)
	return fmt.Sprintf("line %d (of %d, want %d), from byte %d:\n got  %.500s\n want %.500s", i+1, len(g), len(w), from,
		gl[from:], wl[from:])
}

// TestAClosureJudgesNoWorker: a job order's closure, which no judgement of its workers reads, writes the job
// order again and judges none of its workers again (TestContextEventsCatchUpAsARebuild's closure step holds
// that the model caught up so is the one a rebuild writes); its amendment judges them all again.
func TestAClosureJudgesNoWorker(t *testing.T) {
	t.Parallel()
	lines, s, m := generatedStore(t, 20, 3, reachOptions(1))
	importReach(t, s, lines)
	ctx := context.Background()
	res, err := m.CatchUp(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	importReach(t, s, []string{contextEvent(1, "JobOrderClosed", "2024-03-01T00:00:00Z",
		`{"job_order_id":"jo-0001","reason":"filled"}`)})
	head, err := s.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b, reason, err := m.readNew(ctx, s, res.Checkpoint.Position, head)
	if err != nil || reason != "" {
		t.Fatalf("read the closure: %q, %v", reason, err)
	}
	if !b.jobOrders["jo-0001"] || len(b.changed) != 0 || len(b.workers) != 0 {
		t.Errorf("a closure's batch: job orders %v, changed %v, workers %v; want jo-0001 written again alone",
			b.jobOrders, b.changed, b.workers)
	}
	if res, err = m.CatchUp(ctx, s); err != nil || res.Rebuilt {
		t.Fatalf("catch up the closure: %+v, %v", res, err)
	}
	importReach(t, s, []string{contextEvent(2, "JobOrderPaymentMade", "2024-03-02T00:00:00Z",
		`{"amount":{"amount":"900.00","currency":"USD"},"job_order_id":"jo-0001","payee_id":"emp-tw-1","payer_id":"pay-x"}`)})
	head, err = s.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if b, reason, err = m.readNew(ctx, s, res.Checkpoint.Position, head); err != nil || reason != "" {
		t.Fatalf("read the payment: %q, %v", reason, err)
	}
	if !b.changed["jo-0001"] {
		t.Errorf("a payment's batch changes %v; want jo-0001, whose workers are judged again", b.changed)
	}
}
