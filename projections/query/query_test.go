package query_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
	"github.com/fairtrail/fairtrail/projections/query"
	"github.com/fairtrail/fairtrail/projections/readmodel"
)

func TestParseFilter(t *testing.T) {
	t.Parallel()
	endOfDay := time.Date(2025, 6, 30, 23, 59, 59, 999999999, time.UTC)
	tests := []struct {
		name          string
		asOf, knownAt string
		wantAsOf      time.Time
		wantKnownAt   time.Time
		wantBadFields []string
	}{
		{name: "no filter"},
		{name: "a date is the end of that day", asOf: "2025-06-30", wantAsOf: endOfDay},
		{name: "a time in another zone is read in UTC", knownAt: "2025-06-30T12:00:00+02:00",
			wantKnownAt: time.Date(2025, 6, 30, 10, 0, 0, 0, time.UTC)},
		{name: "both wrong are both named", asOf: "yesterday", knownAt: "2025-13-01", wantBadFields: []string{"as_of", "known_at"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, fields := query.ParseFilter("as_of", tc.asOf, "known_at", tc.knownAt)
			var bad []string
			for _, fe := range fields {
				if fe.Problem != query.TimeProblem {
					t.Errorf("%s: problem %q", fe.Path, fe.Problem)
				}
				bad = append(bad, fe.Path)
			}
			if len(bad) != len(tc.wantBadFields) || len(bad) > 0 && bad[0] != tc.wantBadFields[0] {
				t.Fatalf("bad fields %v, want %v", bad, tc.wantBadFields)
			}
			if len(bad) == 0 && (!f.AsOf.Equal(tc.wantAsOf) || !f.KnownAt.Equal(tc.wantKnownAt)) {
				t.Errorf("filter %+v, want as of %s, known at %s", f, tc.wantAsOf, tc.wantKnownAt)
			}
		})
	}
}

func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"", "2025-06-30", "2025-06-30T10:00:00Z", "2025-06-30T10:00:00.123+05:30", "x", "2025-02-30"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := query.ParseTime(s)
		if ok && !got.IsZero() && got.Location() != time.UTC {
			t.Errorf("ParseTime(%q) = %v, not in UTC", s, got)
		}
		if !ok && !got.IsZero() {
			t.Errorf("ParseTime(%q) refused but gave %v", s, got)
		}
	})
}

// TestDecodeFlagKeepsTheDetailsAsListed: a flag read back encodes to the bytes it was listed with, nested
// details in their own field order (not sorted, as a map of decoded values would be).
func TestDecodeFlagKeepsTheDetailsAsListed(t *testing.T) {
	t.Parallel()
	f := domain.Flag{Code: domain.FlagFeeProhibited, WorkerID: "w-1", JobOrderID: "jo-1", BuyerIDs: []string{"b"},
		EventIDs: []string{"e"}, RaisedAt: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC),
		Amounts: []domain.Money{{Amount: "10.50", Currency: "MYR"}},
		Details: projections.FeeProhibitedDetails{Category: "visa", FeeID: "f-1", Label: "a <b> & c",
			Rules: []projections.Breach{{Code: domain.FlagFeeProhibited, Category: "visa"}}}}
	listed, err := readmodel.EncodeFlag(f)
	if err != nil {
		t.Fatal(err)
	}
	back, err := query.DecodeFlag(listed)
	if err != nil {
		t.Fatal(err)
	}
	again, err := readmodel.EncodeFlag(back)
	if err != nil {
		t.Fatal(err)
	}
	if again != listed {
		t.Fatalf("read back and encoded again:\n got %s\nwant %s", again, listed)
	}
	want, _ := json.Marshal(f.Details)
	got, _ := json.Marshal(back.Details)
	if string(got) != string(want) {
		t.Errorf("details as encoding/json writes them:\n got %s\nwant %s", got, want)
	}
	if raw, ok := back.Details.(domain.RawDetails); !ok || raw.FlagCode() != f.Code {
		t.Errorf("details read back are %T for %q, want domain.RawDetails for %s", back.Details, back.Details.FlagCode(), f.Code)
	}
}
