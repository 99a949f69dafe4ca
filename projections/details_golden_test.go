package projections_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
)

var updateDetails = flag.Bool("update-details", false, "rewrite testdata/details/*.golden from the flags raised now")

// everyFlagCase is every scenario of the flag tables.
func everyFlagCase() []flagCase {
	var cases []flagCase
	for _, more := range [][]flagCase{documentAndChainCases(), contractCases(), wageCases(), departureCases(),
		feeCases(), filterCases(), licenceCases(), moneyCases(), overdueCases(), reportOpenCases(),
		reportedFeeCases(), goldenOnlyCases()} {
		cases = append(cases, more...)
	}
	return cases
}

// goldenOnlyCases raise the details' optional keys the flag tables leave out: a fee's label (with characters
// json.Marshal escapes for HTML and the read model's encoder does not), a loan without lender or interest.
func goldenOnlyCases() []flagCase {
	labelled := func(f *domain.FeePaid) { f.Label = "visa <fast> & co" }
	bare := loan("l-1", domain.LoanRecruitment, "100000.00 NPR")
	bare.LenderID, bare.AnnualInterestPct = "", ""
	return []flagCase{{
		name: "labelled fees and a bare loan",
		steps: world(on(0, "code", repayIn(buyerCode("code-a", "buyer-a", rule(recruitmentFee, "0")), 30)),
			on(10, "fee", fee("f-1", recruitmentFee, "50000.00 NPR", labelled)),
			on(11, "deposit", fee("f-2", domain.FeeDeposit, "20000.00 NPR", labelled)),
			on(12, "loan", bare)),
		clock: day(90),
	}}
}

// TestDetailsGolden: the details of every flag the flag tables raise encode, code by code, to the bytes kept
// in testdata/details/<code>.golden (recorded when details were maps, so a typed details struct must encode
// exactly as its map did), both as json.Marshal and as the read model's EncodeFlag-style encoder (no HTML
// escaping) writes them.
func TestDetailsGolden(t *testing.T) {
	got := map[string]*bytes.Buffer{}
	for _, code := range domain.FlagCodes {
		got[code] = &bytes.Buffer{}
	}
	for _, tc := range everyFlagCase() {
		if tc.skip != "" {
			continue
		}
		s := newScenario(t, tc.steps)
		clock := tc.clock
		if clock.IsZero() {
			clock = defaultClock
		}
		for _, f := range build(tc.filter, s.globalOrder()).View(clock).Flags(projections.FlagQuery{}) {
			if f.Details == nil || f.Details.FlagCode() != f.Code {
				t.Fatalf("%s: a %s flag has details %T", tc.name, f.Code, f.Details)
			}
			b, err := json.Marshal(f.Details)
			if err != nil {
				t.Fatalf("%s: %s details do not encode: %v", tc.name, f.Code, err)
			}
			var plain bytes.Buffer
			enc := json.NewEncoder(&plain)
			enc.SetEscapeHTML(false)
			if err := enc.Encode(f.Details); err != nil {
				t.Fatalf("%s: %s details do not encode: %v", tc.name, f.Code, err)
			}
			w := got[f.Code]
			if w == nil {
				t.Fatalf("%s: code %s is not in the catalogue", tc.name, f.Code)
			}
			w.WriteString(tc.name + "\n" + string(b) + "\n" + plain.String())
		}
	}
	for _, code := range domain.FlagCodes {
		path := filepath.Join("testdata", "details", code+".golden")
		if *updateDetails {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, got[code].Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%s: %v (run with -update-details to record)", code, err)
		}
		if got[code].Len() == 0 {
			t.Errorf("%s: no scenario of the flag tables raises it, so its details are not pinned", code)
		}
		if !bytes.Equal(got[code].Bytes(), want) {
			t.Errorf("%s details differ from %s:\n%s", code, path, firstDiff(got[code].String(), string(want)))
		}
	}
}

// firstDiff shows the first line where got and want part.
func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range max(len(g), len(w)) {
		if i >= len(g) || i >= len(w) || g[i] != w[i] {
			return "line " + strconv.Itoa(i+1) + ":\n got " + at(g, i) + "\nwant " + at(w, i)
		}
	}
	return "(equal lines, different bytes)"
}

func at(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return "(end)"
}

// TestConvertedFlagReadsBack: a flag with its money in a reporting currency reads back with both the flag and
// the converted money (domain.Flag's UnmarshalJSON is promoted to it and must not drop the latter).
func TestConvertedFlagReadsBack(t *testing.T) {
	t.Parallel()
	f := projections.ConvertedFlag{
		Flag: domain.Flag{Code: domain.FlagDocumentRetained, WorkerID: "w-1",
			Details: projections.DocumentRetainedDetails{Document: "passport", HeldBy: "ag-1"}},
		Converted: &projections.FlagMoney{Currency: "USD", Total: domain.Money{Amount: "1.00", Currency: "USD"},
			Conversions: []domain.Conversion{}, NotConverted: []domain.Money{}},
	}
	listed, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	var back projections.ConvertedFlag
	if err := json.Unmarshal(listed, &back); err != nil {
		t.Fatal(err)
	}
	again, _ := json.Marshal(back)
	if string(again) != string(listed) || back.Converted == nil || back.WorkerID != "w-1" {
		t.Errorf("read back as %s, listed %s", again, listed)
	}
}
