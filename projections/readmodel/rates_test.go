package readmodel_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
	"github.com/fairtrail/fairtrail/projections/readmodel"
)

// capFlagsOf lists the persisted model's fee.cap_exceeded flags, as JSON.
func capFlagsOf(t *testing.T, m *readmodel.Model) []string {
	t.Helper()
	var got []string
	q := projections.FlagQuery{Code: domain.FlagFeeCapExceeded}
	err := m.Flags(context.Background(), q, clocks[len(clocks)-1], readmodel.FlagSeek{}, func(_ []byte, f string) error {
		got = append(got, f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// TestARatesTableRejudgesTheWorkersItConverts: a cap of 1000 MYR and a fee of 40000 NPR
// (testdata/cap_in_myr.ndjson) is not judged until a rates table converts NPR to MYR. The rates event rebuilds
// the persisted model (every judgement reads the rates), which then raises the cap flag; a later NPR fee is
// applied incrementally and judged with the stored rates table. After each step the model answers as one
// rebuilt in memory.
func TestARatesTableRejudgesTheWorkersItConverts(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("testdata/cap_in_myr.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	s := openStore(t, dir)
	m := openModel(t, dir, readmodel.Options{})
	importLines(t, s, []string{string(data)})
	catchUp(t, m, s)
	if got := capFlagsOf(t, m); len(got) != 0 {
		t.Fatalf("without rates: %v, want no cap flag (the NPR fee is not judged)", got)
	}

	importLines(t, s, []string{`{"type":"ExchangeRatesPublished","event_id":"0190b6a4-0000-7000-8000-000000000010",` +
		`"occurred_at":"2024-03-01T16:00:00Z","data":{"rates_id":"ecb-2024-03-01","source":"ECB","base":"EUR",` +
		`"date":"2024-03-01","rates":{"MYR":"5.1","NPR":"143.5"}}}` + "\n"})
	if res := catchUp(t, m, s); !res.Rebuilt || res.Reason != readmodel.ReasonRates {
		t.Fatalf("catch-up after rates: %+v, want a rebuild for a rates table", res)
	}
	got := capFlagsOf(t, m)
	if len(got) != 1 {
		t.Fatalf("with rates: %d cap flags, want 1", len(got))
	}
	for _, want := range []string{`"amounts":[{"amount":"421.60","currency":"MYR"}]`, `"rates_id":"ecb-2024-03-01"`,
		`"0190b6a4-0000-7000-8000-000000000010"`} {
		if !strings.Contains(got[0], want) {
			t.Errorf("flag %s does not contain %s", got[0], want)
		}
	}
	conformSome(t, m, s, 0.1)

	importLines(t, s, []string{`{"type":"FeePaid","event_id":"0190b6a4-0000-7000-8000-000000000011",` +
		`"occurred_at":"2024-03-05T09:00:00Z","data":{"worker_id":"w-1","fee_id":"f-2","category":"recruitment_fee",` +
		`"amount":{"amount":"14350.00","currency":"NPR"},"payer":"worker","payee_id":"ag-np","method":"cash"}}` + "\n"})
	if res := catchUp(t, m, s); res.Rebuilt || res.Applied != 1 {
		t.Fatalf("catch-up after a fee: %+v, want it applied incrementally", res)
	}
	// 14350 NPR x 5.1 / 143.5 = 510.00 MYR, all of it over the cap: 931.60 MYR over in all.
	if got := capFlagsOf(t, m); len(got) != 1 || !strings.Contains(got[0], `"over_cap":{"amount":"931.60","currency":"MYR"}`) {
		t.Errorf("after a second NPR fee: %v, want one cap flag 931.60 MYR over", got)
	}
	conformSome(t, m, s, 0.1)
}
