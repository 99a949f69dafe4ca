package domain_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/domain"
)

// ecbSample is the head of the ECB's historical file (eurofxref-hist.csv) as published: newest first, every
// row ending in a comma, N/A for currencies not quoted that day.
const ecbSample = `Date,USD,JPY,BGN,CYP,CZK,MYR,TRL,
2024-01-03,1.0919,155.92,1.9558,N/A,24.616,5.0458,N/A,
2024-01-02,1.0956,155.68,1.9558,N/A,24.556,5.0528,N/A,
2007-12-31,1.4721,164.93,1.9558,0.585274,26.628,4.8682,N/A,
`

func TestParseRatesFileReadsTheECBLayout(t *testing.T) {
	envs, err := domain.ParseRatesFile(strings.NewReader(ecbSample), domain.RatesFileOptions{Source: "ECB"})
	if err != nil {
		t.Fatal(err)
	}
	if len(envs) != 3 {
		t.Fatalf("%d tables, want 3", len(envs))
	}
	if lines := [3]int{envs[0].Line, envs[1].Line, envs[2].Line}; lines != [3]int{4, 3, 2} {
		t.Errorf("the tables' lines %v, want 4, 3, 2 (newest first in the file)", lines)
	}
	first := envs[0].Event.(*domain.ExchangeRatesPublished)
	if first.Date != "2007-12-31" || first.Base != "EUR" || first.Rates["CYP"] != "0.585274" || len(first.Rates) != 6 {
		t.Errorf("first table %+v, want 2007-12-31 in EUR with 6 rates, CYP 0.585274", first)
	}
	last := envs[2].Event.(*domain.ExchangeRatesPublished)
	if _, ok := last.Rates["CYP"]; ok || last.Rates["MYR"] != "5.0458" || last.RatesID != "ecb-2024-01-03" {
		t.Errorf("last table %+v: want no CYP (N/A), MYR 5.0458, rates_id ecb-2024-01-03", last)
	}
	for _, env := range envs {
		e := env.Event.(*domain.ExchangeRatesPublished)
		if env.EventID != domain.RatesEventID("ECB", e.Date) || env.Type != domain.TypeExchangeRatesPublished {
			t.Errorf("%s: event id %s, type %s", e.Date, env.EventID, env.Type)
		}
		if want, _ := time.Parse(time.DateOnly, e.Date); !env.OccurredAt.Equal(want) {
			t.Errorf("%s: occurred_at %s, want midnight UTC", e.Date, env.OccurredAt)
		}
	}
}

func TestParseRatesFileReadsTheECBDailyFile(t *testing.T) {
	daily := "Date, USD, JPY, MYR, \n29 November 2024, 1.0565, 158.04, 4.6967, \n"
	envs, err := domain.ParseRatesFile(strings.NewReader(daily), domain.RatesFileOptions{Source: "ECB"})
	if err != nil {
		t.Fatal(err)
	}
	e := envs[0].Event.(*domain.ExchangeRatesPublished)
	if len(envs) != 1 || e.Date != "2024-11-29" || e.Rates["MYR"] != "4.6967" || e.RatesID != "ecb-2024-11-29" {
		t.Errorf("got %d tables, first %+v; want 2024-11-29 with MYR 4.6967", len(envs), e)
	}
}

func TestParseRatesFileReadsTheLongLayout(t *testing.T) {
	cases := []struct {
		name, file, base string
		wantBase         string
	}{
		{"with a base column", "date,currency,rate,base\n2024-01-02,MYR,4.6,USD\n2024-01-02,NPR,133.2,USD\n2024-01-03,MYR,4.61,USD\n", "", "USD"},
		{"without a base column: EUR", "date,currency,rate\n2024-01-02,MYR,5.05\n2024-01-02,NPR,146.1\n2024-01-03,MYR,5.04\n", "", "EUR"},
		{"without a base column: the option's", "Date,Currency,Rate\r\n2024-01-03,MYR,4.61\r\n2024-01-02,MYR,4.6\r\n2024-01-02,NPR,133.2\r\n", "USD", "USD"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			envs, err := domain.ParseRatesFile(strings.NewReader(tc.file), domain.RatesFileOptions{Source: "Nepal Rastra Bank", Base: tc.base})
			if err != nil {
				t.Fatal(err)
			}
			if len(envs) != 2 {
				t.Fatalf("%d tables, want 2", len(envs))
			}
			e := envs[0].Event.(*domain.ExchangeRatesPublished)
			if e.Date != "2024-01-02" || e.Base != tc.wantBase || len(e.Rates) != 2 || e.RatesID != "nepal-rastra-bank-2024-01-02" {
				t.Errorf("first table %+v", e)
			}
		})
	}
}

func TestParseRatesFileRejectsABadFileWithLineAndColumn(t *testing.T) {
	ecb := func(rows ...string) string { return "Date,USD,JPY,MYR,\n" + strings.Join(rows, "\n") + "\n" }
	long := func(rows ...string) string { return "date,currency,rate,base\n" + strings.Join(rows, "\n") + "\n" }
	cases := []struct {
		name, file   string
		line, column int
		problem      string
	}{
		{"a negative rate", ecb("2024-01-02,1.0956,-155.68,5.0528,"), 2, 19, "must be > 0"},
		{"a non-numeric rate", ecb("2024-01-02,1.0956,155.68,five,"), 2, 26, "must be a decimal string"},
		{"a zero rate", ecb("2024-01-02,0.0000,155.68,5.0528,"), 2, 12, "must be > 0"},
		{"a rate with an exponent", ecb("2024-01-02,1e0,155.68,5.0528,"), 2, 12, "must be a decimal string"},
		{"an unknown currency in the header", "Date,USD,XYZ,\n2024-01-02,1.09,1.2,\n", 1, 10, `unknown currency "XYZ"`},
		{"a currency in lower case", "Date,USD,myr,\n2024-01-02,1.09,1.2,\n", 1, 10, `unknown currency "myr"`},
		{"a currency with two columns", "Date,USD,USD,\n2024-01-02,1.09,1.2,\n", 1, 10, "two columns"},
		{"a bad date", ecb("2024-02-30,1.0956,155.68,5.0528,"), 2, 1, `bad date "2024-02-30"`},
		{"a date in another format", ecb("02/01/2024,1.0956,155.68,5.0528,"), 2, 1, "bad date"},
		{"a duplicate date", ecb("2024-01-03,1.0919,155.92,5.0458,", "2024-01-03,1.0956,155.68,5.0528,"), 3, 1, "duplicate date 2024-01-03 for source ECB (first at line 2)"},
		{"a short row", ecb("2024-01-02,1.0956,155.68"), 2, 19, "the row has 3 cells, the header 5"},
		{"a rate under no currency", ecb("2024-01-02,1.0956,155.68,5.0528,7"), 2, 33, "a rate under no currency"},
		{"long: a negative rate", long("2024-01-02,MYR,-4.6,USD"), 2, 16, "must be > 0"},
		{"long: an unknown currency", long("2024-01-02,MYX,4.6,USD"), 2, 12, `unknown currency "MYX"`},
		{"long: an unknown base", long("2024-01-02,MYR,4.6,US"), 2, 20, `unknown currency "US"`},
		{"long: a bad date", long("2024-13-02,MYR,4.6,USD"), 2, 1, "bad date"},
		{"long: a duplicate date for a currency", long("2024-01-02,MYR,4.6,USD", "2024-01-03,MYR,4.6,USD", "2024-01-02,MYR,4.7,USD"), 4, 1, "duplicate date 2024-01-02 for currency MYR and source ECB (first at line 2)"},
		{"long: two bases on one date", long("2024-01-02,MYR,4.6,USD", "2024-01-02,NPR,146.1,EUR"), 3, 22, "base EUR differs from USD"},
		{"an unknown layout", "day,MYR\n2024-01-02,4.6\n", 1, 1, "unknown layout"},
		{"an empty file", "", 1, 1, "empty file"},
		{"a stray quote", ecb(`2024-01-02,1.0956,"155.68,5.0528,`), 2, 35, "malformed CSV"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			envs, err := domain.ParseRatesFile(strings.NewReader(tc.file), domain.RatesFileOptions{Source: "ECB"})
			var fe domain.RatesFileErrors
			if !errors.As(err, &fe) || !errors.Is(err, domain.ErrInvalid) {
				t.Fatalf("got %d tables and error %v, want RatesFileErrors", len(envs), err)
			}
			for _, e := range fe {
				if e.Line == tc.line && e.Column == tc.column && strings.Contains(e.Problem, tc.problem) {
					return
				}
			}
			t.Errorf("no problem at line %d, column %d containing %q in: %v", tc.line, tc.column, tc.problem, err)
		})
	}
}

func TestParseRatesFileNeedsASource(t *testing.T) {
	for _, source := range []string{"", " ", "bad\nsource"} {
		if _, err := domain.ParseRatesFile(strings.NewReader(ecbSample), domain.RatesFileOptions{Source: source}); !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("source %q: error %v, want invalid", source, err)
		}
	}
	if _, err := domain.ParseRatesFile(strings.NewReader(ecbSample), domain.RatesFileOptions{Source: "ECB", Base: "usd"}); !errors.Is(err, domain.ErrInvalid) {
		t.Errorf("base usd: error %v, want invalid", err)
	}
}

func TestRatesID(t *testing.T) {
	cases := []struct{ source, want string }{
		{"ECB", "ecb-2024-01-02"},
		{"central bank of Malaysia", "central-bank-of-malaysia-2024-01-02"},
		{"  IMF (IFS) ", "imf-ifs-2024-01-02"},
		{"Банк России", "source-"},
	}
	for _, tc := range cases {
		got := domain.RatesID(tc.source, "2024-01-02")
		if !strings.HasPrefix(got, tc.want) || !strings.HasSuffix(got, "2024-01-02") {
			t.Errorf("RatesID(%q) = %q, want %q...", tc.source, got, tc.want)
		}
	}
	if domain.RatesEventID("ECB", "2024-01-02") == domain.RatesEventID("ECB", "2024-01-03") {
		t.Error("two dates give one event id")
	}
}

// FuzzParseRatesFile checks the parser on arbitrary input: it never panics; it fails only with RatesFileErrors
// whose every problem has a line and column, or with a list of valid tables in strictly increasing date order
// whose ids are derived from the source and the date.
//
//	go test ./domain -run '^$' -fuzz FuzzParseRatesFile -fuzztime 60s
func FuzzParseRatesFile(f *testing.F) {
	f.Add([]byte(ecbSample))
	f.Add([]byte("date,currency,rate,base\n2024-01-02,MYR,4.6,USD\n2024-01-02,NPR,133.2,USD\n"))
	f.Add([]byte("date,currency,rate\n2024-01-02,MYR,4.6\n"))
	f.Add([]byte("Date,USD,\n2024-01-02,N/A,\n"))
	f.Add([]byte("Date,USD,EUR\n2024-01-02,1.1,1\n2024-01-02,1.1,1\n"))
	f.Add([]byte("\ufeffDate,\"USD\"\n\"2024-01-02\",\"1.1\"\n"))
	f.Fuzz(func(t *testing.T, input []byte) {
		envs, err := domain.ParseRatesFile(strings.NewReader(string(input)), domain.RatesFileOptions{Source: "ECB"})
		if err != nil {
			var fe domain.RatesFileErrors
			if !errors.As(err, &fe) || len(fe) == 0 {
				t.Fatalf("error %T %v is not RatesFileErrors", err, err)
			}
			for _, e := range fe {
				if e.Line < 1 || e.Column < 1 || e.Problem == "" {
					t.Fatalf("problem without a place: %+v", e)
				}
			}
			return
		}
		prev := ""
		for _, env := range envs {
			e := env.Event.(*domain.ExchangeRatesPublished)
			if err := domain.Validate(e); err != nil {
				t.Fatalf("invalid table: %v", err)
			}
			if e.Date <= prev || env.EventID != domain.RatesEventID("ECB", e.Date) {
				t.Fatalf("table %s after %s, id %s", e.Date, prev, env.EventID)
			}
			prev = e.Date
		}
	})
}
