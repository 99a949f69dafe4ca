package api_test

import (
	"encoding/json"
	"net/url"
	"slices"
	"testing"
)

// TestFlagPagesConcatenateToTheList pages through the flags one, two and three at a time, including two
// flags with the same sort key (two caps breached by the same fee), and gets the whole list each time: from
// the flag index, and as of a date (replayed and merged).
func TestFlagPagesConcatenateToTheList(t *testing.T) {
	f := newFixture(t, true)
	capRule := func(n int, id string) map[string]any {
		return ev(uuid(n), "PolicyAdopted", "2023-12-01T00:00:00Z", map[string]any{"policy_id": id, "name": id,
			"scope": map[string]any{"buyer_id": "buyer-b"}, "effective_from": "2023-01-01", "authority": "buyer code",
			"rules": []any{map[string]any{"category": "visa", "max": map[string]any{"amount": "100", "currency": "NPR"}}}})
	}
	f.mustPost("admin", []any{capRule(800, "cap-1"), capRule(801, "cap-2"), fee(802, "w-b1", "visa", "250.00")})
	full := allFlags(t, f, "admin", "page_size=1000")
	caps := 0
	for _, fl := range full {
		if fl.Code == "fee.cap_exceeded" {
			caps++
		}
	}
	if caps != 2 {
		t.Fatalf("%d fee.cap_exceeded flags, want two with the same sort key", caps)
	}
	for _, size := range []string{"1", "2", "3"} {
		got := pages(t, f, "admin", url.Values{"page_size": {size}})
		if !slices.EqualFunc(got, full, sameFlag) {
			t.Errorf("pages of %s: %d flags, want %d:\n%v\n%v", size, len(got), len(full), got, full)
		}
	}
	asOf := allFlags(t, f, "admin", "page_size=1000&as_of=2099-01-01") // replayed and merged, not sought
	if len(asOf) < len(full) {
		t.Fatalf("%d flags as of 2099, fewer than the %d of the index", len(asOf), len(full))
	}
	for _, size := range []string{"1", "2", "3"} {
		got := pages(t, f, "admin", url.Values{"page_size": {size}, "as_of": {"2099-01-01"}})
		if !slices.EqualFunc(got, asOf, sameFlag) {
			t.Errorf("pages of %s as of 2099: %d flags, want %d:\n%v\n%v", size, len(got), len(asOf), got, asOf)
		}
	}
}

func sameFlag(a, b flagRef) bool {
	return a.Code == b.Code && a.WorkerID == b.WorkerID && a.JobOrderID == b.JobOrderID && slices.Equal(a.EventIDs, b.EventIDs)
}

// pages follows next_page_token with the query given.
func pages(t *testing.T, f *fixture, key string, q url.Values) []flagRef {
	t.Helper()
	var out []flagRef
	for range 1000 {
		p := decode[struct {
			Flags []flagRef `json:"flags"`
			Next  string    `json:"next_page_token"`
		}](t, f.get("/v1/flags?"+q.Encode(), key))
		out = append(out, p.Flags...)
		if p.Next == "" {
			return out
		}
		q.Set("page_token", p.Next)
	}
	t.Fatal("more than 1000 pages")
	return nil
}

func TestPageTokensContinueOnlyTheirListing(t *testing.T) {
	f := newFixture(t, true)
	first := decode[struct {
		Next string `json:"next_page_token"`
	}](t, f.get("/v1/flags?page_size=1&code=fee.", "admin"))
	if first.Next == "" {
		t.Fatal("no next page")
	}
	cases := []struct {
		name, query string
		status      int
	}{
		{"the same query", "code=fee.&page_size=1&page_token=" + first.Next, 200},
		{"another page size", "code=fee.&page_size=50&page_token=" + first.Next, 200},
		{"another filter", "code=chain.&page_size=1&page_token=" + first.Next, 400},
		{"a tampered token", "code=fee.&page_size=1&page_token=" + tamper(first.Next), 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if w := f.get("/v1/flags?"+tc.query, "admin"); w.Code != tc.status {
				t.Errorf("status %d, want %d: %s", w.Code, tc.status, w.Body)
			}
		})
	}
	if w := f.get("/v1/audit?page_token="+first.Next, "admin"); w.Code != 400 {
		t.Errorf("a flags token on the audit: %d", w.Code)
	}
}

// tamper changes the payload of a token and keeps its signature.
func tamper(tok string) string {
	b := []byte(tok)
	if b[5] == 'A' {
		b[5] = 'B'
	} else {
		b[5] = 'A'
	}
	return string(b)
}

func TestAuditPages(t *testing.T) {
	f := newFixture(t, true)
	var keys []string
	q := url.Values{"by": {"agency"}, "page_size": {"1"}}
	for range 10 {
		var p struct {
			Rows []struct{ Key string } `json:"rows"`
			Next string                 `json:"next_page_token"`
		}
		if err := json.Unmarshal(f.get("/v1/audit?"+q.Encode(), "admin").Body.Bytes(), &p); err != nil {
			t.Fatal(err)
		}
		for _, r := range p.Rows {
			keys = append(keys, r.Key)
		}
		if p.Next == "" {
			break
		}
		q.Set("page_token", p.Next)
	}
	if want := []string{"ag-a", "ag-b", "sub-a"}; !slices.Equal(keys, want) {
		t.Errorf("rows %v, want %v", keys, want)
	}
}
