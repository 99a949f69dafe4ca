package domain_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/domain"
)

// loanDetails stand for a code's own details type (the projections define the real ones).
type loanDetails struct {
	LoanID string `json:"loan_id"`
	Note   string `json:"note"`
}

func (loanDetails) FlagCode() string { return domain.FlagRecruitmentLoan }

func TestFlagReadBackKeepsItsDetails(t *testing.T) {
	t.Parallel()
	at := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	cases := []struct {
		name    string
		details domain.FlagDetails
		want    string // the details' JSON after a round trip
	}{
		{"typed details come back as their JSON", loanDetails{LoanID: "l-1", Note: "a <b> & c"},
			`{"loan_id":"l-1","note":"a \u003cb\u003e \u0026 c"}`},
		{"no details come back as none", nil, `null`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := domain.Flag{Code: domain.FlagRecruitmentLoan, WorkerID: "w-1", JobOrderID: "jo-1",
				BuyerIDs: []string{"b-1"}, EventIDs: []string{"e-1"}, RaisedAt: at, Details: tc.details}
			listed, err := json.Marshal(f)
			if err != nil {
				t.Fatal(err)
			}
			var back domain.Flag
			if err := json.Unmarshal(listed, &back); err != nil {
				t.Fatal(err)
			}
			again, err := json.Marshal(back)
			if err != nil {
				t.Fatal(err)
			}
			if string(again) != string(listed) {
				t.Errorf("read back and encoded again:\n got %s\nwant %s", again, listed)
			}
			d, _ := json.Marshal(back.Details)
			if string(d) != tc.want {
				t.Errorf("details = %s, want %s", d, tc.want)
			}
			if tc.details != nil && back.Details.FlagCode() != f.Code {
				t.Errorf("details read back say code %q, want %q", back.Details.FlagCode(), f.Code)
			}
			if back.Code != f.Code || !back.RaisedAt.Equal(at) || back.WorkerID != "w-1" {
				t.Errorf("flag read back as %+v", back)
			}
		})
	}
}

func TestFlagReadBackRejectsBadJSON(t *testing.T) {
	t.Parallel()
	for name, text := range map[string]string{
		"not an object":      `[1]`,
		"raised_at not time": `{"code":"x","raised_at":"yesterday","details":{}}`,
		"truncated":          `{"code":"x","details":{`,
	} {
		var f domain.Flag
		if err := json.Unmarshal([]byte(text), &f); err == nil {
			t.Errorf("%s: %s read as %+v", name, text, f)
		}
	}
}

// FuzzFlagJSON: whatever reads as a flag encodes to JSON that reads back as the same flag.
func FuzzFlagJSON(f *testing.F) {
	f.Add(`{"code":"fee.prohibited","worker_id":"w","job_order_id":"j","buyer_ids":["b"],"event_ids":["e"],"raised_at":"2025-01-02T03:04:05Z","details":{"rules":[{"code":"fee.prohibited"}]}}`)
	f.Add(`{"code":"x","details":null}`)
	f.Add(`{"details":"<b>"}`)
	f.Fuzz(func(t *testing.T, text string) {
		var first domain.Flag
		if json.Unmarshal([]byte(text), &first) != nil {
			return
		}
		once, err := json.Marshal(first)
		if err != nil {
			t.Fatalf("%s read as a flag that does not encode: %v", text, err)
		}
		var second domain.Flag
		if err := json.Unmarshal(once, &second); err != nil {
			t.Fatalf("%s encoded as %s, which does not read back: %v", text, once, err)
		}
		twice, err := json.Marshal(second)
		if err != nil || string(twice) != string(once) {
			t.Fatalf("encoded %s, then %s (%v)", once, twice, err)
		}
	})
}
