package readmodel

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/domain"
)

// indexedOf is the indexed flag of f's row r, its rules (if any) stored as id, as a listing reads it.
func indexedOf(t *testing.T, f domain.Flag, r flagRow, id int64) IndexedFlag {
	t.Helper()
	if strings.Contains(f.Code+f.WorkerID+f.JobOrderID, "\x1f") {
		t.Skip("the unit separator that joins a row's columns for a listing: never in an id")
	}
	at := f.RaisedAt.UTC()
	ref, rest := "", r.stored(id)
	if r.rules != "" {
		ref = strconv.FormatInt(id, 10)
	}
	cols := []string{f.Code, f.WorkerID, f.JobOrderID, r.buyers, r.eventIDs, strconv.FormatInt(at.Unix(), 10),
		strconv.Itoa(at.Nanosecond()), ref, rest}
	if r.whole {
		cols = []string{f.Code, f.WorkerID, f.JobOrderID, "", "", "0", "0", "", r.rest}
	}
	l, err := parseIndexedFlag(strings.Join(append(cols, "k"), "\x1f"), &flagRules{byID: map[int64]string{id: r.rules}})
	if err != nil {
		t.Fatalf("parse the row: %v", err)
	}
	return l
}

// roundTrip stores a flag as its row does and reads it back, returning the JSON read and the row.
func roundTrip(t *testing.T, f domain.Flag) (string, flagRow) {
	t.Helper()
	body, err := EncodeFlag(f)
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	r, err := splitFlag(f, body)
	if err != nil {
		t.Fatalf("split: %v", err)
	}
	const id = 42
	l := indexedOf(t, f, r, id)
	back := l.JSON()
	if back != body {
		t.Fatalf("read back\n%s\nwant\n%s", back, body)
	}
	if got := string(l.AppendJSON([]byte("x"))); got != "x"+body {
		t.Fatalf("appended\n%s\nwant x and\n%s", got, body)
	}
	got, err := l.Flag()
	if err != nil {
		t.Fatalf("listed flag's fields: %v", err)
	}
	want, err := decodeWhole(body)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("listed flag's fields\n%#v\nwant, as its JSON decodes,\n%#v", got, want)
	}
	return back, r
}

func TestAFlagRowGivesBackItsJSONExactly(t *testing.T) {
	t.Parallel()
	at := time.Date(2024, 3, 17, 3, 24, 0, 0, time.UTC)
	rules := `[{"code":"fee.prohibited","policy_id":"pol-1","max":{"amount":"0","currency":"USD"}}]`
	cases := []struct {
		name                string
		worker, jobOrder    string
		buyers              []string
		raised              time.Time
		details             string
		wantWhole, wantRefs bool
	}{
		{"a worker's flag with rules", "w-1", "jo-1", []string{"buyer-1"}, at,
			`{"fee_id":"f1","rules":` + rules + `,"payer":"worker"}`, false, true},
		{"rules last in the details", "w-1", "jo-1", []string{"buyer-1"}, at, `{"fee_id":"f1","rules":` + rules + `}`, false, true},
		{"a job order's flag, no buyers", "", "jo-2", nil, at, `{"terms":["wage"]}`, false, false},
		{"nanoseconds in raised_at", "w-2", "jo-1", []string{"b1", "b2"}, at.Add(702454063), `{"deadline":"x"}`, false, false},
		{"raised_at not in UTC", "w-3", "jo-1", []string{"b1"}, at.In(time.FixedZone("", 7*3600)), `{}`, true, false},
		{"rules named in a string", "w-4", "jo-1", []string{"b1"}, at,
			`{"label":"a\",\"rules\":[1]","rules":` + rules + `}`, false, true},
		{"rules that are not an array", "w-5", "jo-1", []string{"b1"}, at, `{"rules":7,"x":{"rules":[1]}}`, false, false},
		{"quotes and non-ASCII in ids", "w-\"é\"", "jo-<1>", []string{"b&1"}, at, `{"a":1,"rules":[]}`, false, true},
		{"rules first in the details", "w-7", "jo-1", []string{"b1"}, at, `{"rules":[1],"a":1}`, false, false},
		{"no details", "w-6", "jo-1", []string{"b1"}, at, ``, false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := domain.Flag{Code: "fee.prohibited", WorkerID: c.worker, JobOrderID: c.jobOrder, BuyerIDs: c.buyers,
				EventIDs: []string{"e1"}, RaisedAt: c.raised, Amounts: []domain.Money{},
				Details: domain.RawDetails{Code: "fee.prohibited", JSON: json.RawMessage(c.details)}}
			_, r := roundTrip(t, f)
			if r.whole != c.wantWhole || (r.rules != "") != c.wantRefs {
				t.Errorf("whole %v, rules %q; want whole %v, rules referenced %v", r.whole, r.rules, c.wantWhole, c.wantRefs)
			}
			if len(r.rules) > 2 && strings.Contains(r.stored(42), r.rules) {
				t.Errorf("stored rest %q still holds the rules", r.stored(42))
			}
		})
	}
}

func FuzzFlagRowRoundTrip(f *testing.F) {
	f.Add("w-1", "jo-1", "sub-agent commission", int64(1700000000), 0)
	f.Add("", "jo-\"2\"", `,"rules":[`, int64(-5), 999999999)
	f.Fuzz(func(t *testing.T, worker, jobOrder, label string, s int64, n int) {
		if n < 0 || n > 999999999 || s < -62135596800 || s > 253402300799 {
			return
		}
		l, _ := json.Marshal(label)
		f := domain.Flag{Code: "fee.cap_exceeded", WorkerID: worker, JobOrderID: jobOrder, BuyerIDs: []string{label},
			EventIDs: []string{worker}, RaisedAt: time.Unix(s, int64(n)).UTC(),
			Amounts: []domain.Money{{Amount: "12.50", Currency: label}},
			Details: domain.RawDetails{Code: "fee.cap_exceeded", JSON: json.RawMessage(`{"label":` + string(l) +
				`,"rules":[{"policy_name":` + string(l) + `}]}`)}}
		roundTrip(t, f)
	})
}

// TestAFlagRowsListsAndRulesAreCutAsEncodingJSONDoes: the row's buyers and evidence are written as
// encoding/json writes them, and a rules array is cut where a JSON decoder ends it.
func TestAFlagRowsListsAndRulesAreCutAsEncodingJSONDoes(t *testing.T) {
	t.Parallel()
	lists := []struct {
		name string
		list []string
	}{
		{"nil", nil},
		{"empty", []string{}},
		{"plain ids", []string{"buyer-1", "buyer-2"}},
		{"html characters", []string{"b&1", "<b>"}},
		{"quotes and backslashes", []string{`a"b`, `c\d`}},
		{"control and non-ASCII", []string{"a\tb", "é", "\u2028", "\x7f"}},
	}
	for _, c := range lists {
		t.Run("list "+c.name, func(t *testing.T) {
			t.Parallel()
			checkJSONStrings(t, c.list)
		})
	}
	arrays := []struct{ name, text string }{
		{"empty", `[]`},
		{"objects", `[{"code":"fee.prohibited","max":{"amount":"0"}},{"code":"x"}],"payer":"worker"}`},
		{"brackets in strings", `["]","[","}\"]"],"x":1}`},
		{"escaped backslash before a quote", `["a\\","]"]}`},
		{"nested", `[[1,[2]],{"a":[3]}]`},
		{"not closed", `[{"a":"]"}`},
	}
	for _, c := range arrays {
		t.Run("array "+c.name, func(t *testing.T) {
			t.Parallel()
			checkArrayLen(t, c.text)
		})
	}
}

func FuzzAFlagRowsListsAndRulesAreCutAsEncodingJSONDoes(f *testing.F) {
	f.Add("buyer-1", `["]",{"a":[1]}],"x":2}`)
	f.Add("a\"b\\c\u2028", `[`)
	f.Fuzz(func(t *testing.T, id, text string) {
		checkJSONStrings(t, []string{id, id + "x"})
		checkArrayLen(t, text)
	})
}

func checkJSONStrings(t *testing.T, list []string) {
	t.Helper()
	want, err := encodeJSON(list)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := jsonStrings(list); err != nil || got != want {
		t.Errorf("jsonStrings(%q) = %q, %v; want %q", list, got, err, want)
	}
}

// checkArrayLen compares arrayLen with a JSON decoder on text, when text begins with a valid JSON array.
func checkArrayLen(t *testing.T, text string) {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(text))
	var raw json.RawMessage
	want := -1
	if err := d.Decode(&raw); err == nil && strings.HasPrefix(text, "[") {
		want = int(d.InputOffset())
	} else if strings.HasPrefix(text, "[") && json.Valid([]byte(text)) {
		t.Fatalf("decoder refused valid %q", text)
	}
	if want < 0 {
		return // not an array encoding/json wrote: arrayLen's answer is not defined
	}
	if got := arrayLen(text); got != want {
		t.Errorf("arrayLen(%q) = %d, want %d", text, got, want)
	}
}
