package projections_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
)

// appender is a details type that appends its own JSON.
type appender interface {
	domain.FlagDetails
	AppendJSON(b []byte) ([]byte, error)
}

// reflected encodes d as encoding/json encodes its struct by reflection, through its fields' tags: d converted
// to an unnamed struct type of the same fields, which has none of d's methods (its MarshalJSON). escapeHTML
// chooses between json.Marshal's escaping and the read model's encoder's.
func reflected(d any, escapeHTML bool) ([]byte, error) {
	v := reflect.ValueOf(d)
	fields := make([]reflect.StructField, v.NumField())
	for i := range fields {
		fields[i] = v.Type().Field(i)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(escapeHTML)
	if err := enc.Encode(v.Convert(reflect.StructOf(fields)).Interface()); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// detailsOf builds every code's details from a fuzzer's values: s fills every string (changed a little from
// field to field), n every count, at every time, and bare leaves out what omitempty may (empty strings, nil
// lists and pointers) where full fills it.
func detailsOf(s string, n int, at time.Time, bare bool) []appender {
	str := func(suffix string) string {
		if bare {
			return ""
		}
		return s + suffix
	}
	money := domain.Money{Amount: domain.Amount(s), Currency: str("C")}
	var moneyPtr *domain.Money
	var strs []string
	var conversions []domain.Conversion
	var notJudged []projections.NotJudgedFee
	if !bare {
		moneyPtr, strs = &money, []string{s, s + "\u2028", ""}
		conversions = []domain.Conversion{{From: money, To: money, Rate: domain.RateUsed{EventID: s, RatesID: s,
			Source: s, Date: s, Base: s, From: s, To: s, FromPerBase: s, ToPerBase: s, Rate: s}}}
		notJudged = []projections.NotJudgedFee{{Amount: money, EventID: s, FeeID: s, Reason: s}}
	}
	breach := projections.Breach{Code: s, PolicyID: str("p"), PolicyName: str("n"), Authority: str("a"),
		Category: s, Max: money}
	changes := []projections.Change{
		{Term: s, Before: nil, After: s, Note: s},
		{Term: s, Before: n, After: n + 1, Note: s},
		{Term: s, Before: projections.WageView{Amount: domain.Amount(s), Currency: s, Per: s, MonthlyEquivalent: "1"},
			After: domain.Worksite{City: str("c"), Country: s}, Note: s},
		{Term: s, Before: []domain.Deduction{{Amount: domain.Amount(s), Currency: s, Kind: s, Per: s}}, After: strs},
	}
	fee := domain.ReportedFee{Amount: money, Category: s, Method: str("m"), PaidOn: str("d"), PayeeID: str("p")}
	return []appender{
		projections.FeeProhibitedDetails{Category: s, FeeID: s, Label: str("l"), Method: s, PayeeID: s, Payer: s,
			Rules: []projections.Breach{breach, breach}},
		projections.FeeProhibitedDetails{Category: s},
		projections.FeeIllegitimateDetails{Category: s, FeeID: s, Label: str("l"), Method: s, PayeeID: s, Payer: s, Reason: s},
		projections.FeeCapExceededDetails{Cap: money, Category: s, Conversions: conversions, FeeIDs: strs,
			NotJudged: notJudged, OverCap: money, Rule: breach, WorkerPaid: money},
		projections.ReimbursementOverdueDetails{Category: s, Deadline: at, FeeID: s, Label: str("l"), Method: s,
			OutstandingNow: money, Owed: moneyPtr, PayeeID: s, Payer: s, RecordedAt: at, ReimbursedByDeadline: money,
			RepaymentDays: n},
		projections.ContractSubstitutionDetails{Baseline: s, Changes: changes, ContractID: s,
			EstimatedWageShortfall: moneyPtr, Stage: s},
		projections.ContractSubstitutionDetails{Baseline: s},
		projections.BelowJobOrderDetails{Changes: changes, ContractID: s, EstimatedWageShortfall: moneyPtr,
			JobOrderTermsEventID: s, Stage: s},
		projections.MissingBeforeDepartureDetails{LeftAt: at, LeftBy: s},
		projections.SignedAfterDepartureDetails{ContractID: s, LeftAt: at, SignedAt: at, Stage: s},
		projections.ContractLanguageDetails{ContractID: s, Language: s, WorkerLanguages: strs},
		projections.NoWorkerCopyDetails{ContractID: s, Stage: s},
		projections.DocumentRetainedDetails{Document: s, HeldBy: s, Since: at},
		projections.UndisclosedIntermediaryDetails{EmployerID: s, EngagedAgencies: strs, RecruitedBy: s},
		projections.ReverseFeeDetails{EmployerID: s, Label: str("l"), PayeeID: s, PayerID: s},
		projections.RecruitmentLoanDetails{AnnualInterestPct: domain.Percent(str("")), LenderID: str("l"), LoanID: s,
			Purpose: s},
		projections.UnlicensedAgencyDetails{Licences: []projections.LicenceHeld{{Authority: s, EventID: s, Number: s,
			ValidUntil: s}}, Reason: s, RecruitedBy: s, RecruitedOn: s, Role: s},
		projections.UnlicensedAgencyDetails{Reason: s},
		projections.ReportOpenDetails{Channel: s, Kind: s, OpenDays: n, RecordedAt: at, ReportID: s},
		projections.ReportedUnrecordedDetails{Channel: s, Kind: s, RecordedFees: []projections.ComparedFee{
			{EventID: s, FeeID: s, Payer: s, Amount: money, ShortBy: moneyPtr, Why: s}}, ReportID: s, ReportedFee: fee,
			Resolution: str("r")},
	}
}

// checkDetailsJSON fails t where a details' AppendJSON, or json.Marshal through its MarshalJSON, differs from
// what encoding/json writes by reflection over its tags (with HTML escaping off, and on).
func checkDetailsJSON(t *testing.T, d appender) {
	t.Helper()
	got, gotErr := d.AppendJSON([]byte("prefix"))
	want, wantErr := reflected(d, false)
	if (gotErr != nil) != (wantErr != nil) {
		t.Fatalf("%T: AppendJSON error %v, encoding/json's %v", d, gotErr, wantErr)
	}
	if wantErr == nil && string(got) != "prefix"+string(want) {
		t.Fatalf("%T: AppendJSON\n got %s\nwant prefix%s", d, got, want)
	}
	marshalled, gotErr := json.Marshal(d)
	want, wantErr = reflected(d, true)
	if (gotErr != nil) != (wantErr != nil) {
		t.Fatalf("%T: json.Marshal error %v, by reflection %v", d, gotErr, wantErr)
	}
	if wantErr == nil && !bytes.Equal(marshalled, want) {
		t.Fatalf("%T: json.Marshal\n got %s\nwant %s", d, marshalled, want)
	}
}

// FuzzDetailsJSON: every code's details append the JSON encoding/json writes for their struct, whatever their
// strings (escapes, invalid UTF-8, HTML characters), counts, times and zones, and with their optional members
// left out or not.
func FuzzDetailsJSON(f *testing.F) {
	f.Add("fee-1", 30, int64(1_700_000_000), int64(0), 0, false)
	f.Add("a <b> & \"c\"\\\n\t\x01\u2029é", -4, int64(1_700_000_000), int64(123_456_789), 330, true)
	f.Add("\xff\xfe bad utf-8 \u2028", 0, int64(-62_135_596_800), int64(1), -600, false)
	f.Add("12.50", 7, int64(253_402_300_800), int64(0), 0, false) // the year 10000: time refuses it
	f.Add("0036.5", 1, int64(0), int64(999_999_999), 1, false)
	f.Add("1.", 1, int64(0), int64(0), 0, false)
	f.Fuzz(func(t *testing.T, s string, n int, sec, nsec int64, offsetMinutes int, bare bool) {
		at := time.Unix(sec, nsec).In(time.FixedZone("z", (offsetMinutes%(48*60))*60))
		for _, d := range detailsOf(s, n, at, bare) {
			checkDetailsJSON(t, d)
		}
	})
}

// TestEveryCodeHasAnAppender: every flag code's details type is among those FuzzDetailsJSON covers.
func TestEveryCodeHasAnAppender(t *testing.T) {
	t.Parallel()
	covered := map[string]bool{}
	for _, d := range detailsOf("x", 1, time.Unix(0, 0).UTC(), false) {
		covered[d.FlagCode()] = true
	}
	for _, code := range domain.FlagCodes {
		if !covered[code] {
			t.Errorf("%s: its details are not checked against encoding/json", code)
		}
	}
}

// FuzzFlagJSON: a flag's JSON appended by hand is encoding/json's for domain.Flag with HTML escaping off,
// whatever its strings, lists, time and details (each code's own type, raw JSON read back, or none).
func FuzzFlagJSON(f *testing.F) {
	f.Add("w-1", "2024-01-02", int64(1_700_000_000), int64(5), 0, false)
	f.Add("a <b> & \"c\"\xff\u2028", "", int64(-62_135_596_800), int64(0), 90, true)
	f.Add("x", "9.99", int64(253_402_300_800), int64(0), 0, false) // the year 10000: time refuses it
	f.Fuzz(func(t *testing.T, s, amount string, sec, nsec int64, offsetMinutes int, bare bool) {
		at := time.Unix(sec, nsec).In(time.FixedZone("z", (offsetMinutes%(48*60))*60))
		var ids []string
		var amounts []domain.Money
		if !bare {
			ids, amounts = []string{s, ""}, []domain.Money{{Amount: domain.Amount(amount), Currency: s}, {Amount: "1"}}
		}
		details := []domain.FlagDetails{nil, domain.RawDetails{Code: s, JSON: json.RawMessage(` {"a": [1, "<"]}`)},
			domain.RawDetails{Code: s}}
		for _, d := range detailsOf(s, len(s), at, bare) {
			details = append(details, d)
		}
		for _, d := range details {
			fl := domain.Flag{Code: s, WorkerID: s, JobOrderID: s, BuyerIDs: ids, EventIDs: ids, RaisedAt: at,
				Amounts: amounts, Details: d}
			got, gotErr := projections.AppendFlagJSON(nil, fl)
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			wantErr := enc.Encode(fl)
			if (gotErr != nil) != (wantErr != nil) {
				t.Fatalf("details %T: error %v, encoding/json's %v", d, gotErr, wantErr)
			}
			if want := bytes.TrimSuffix(buf.Bytes(), []byte("\n")); wantErr == nil && !bytes.Equal(got, want) {
				t.Fatalf("details %T:\n got %s\nwant %s", d, got, want)
			}
		}
	})
}
