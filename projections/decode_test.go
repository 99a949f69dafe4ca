package projections

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/domain/synth"
)

// TestDecodeStoredAgreesWithDomain holds the replay decoder (goccy/go-json, no validation; encoding/json under
// the race detector, where ops/test does not run this test) to the validating decoder of the domain on a generated dataset that exercises every event type: 600 workers (about 12,800
// events), twice the 300 from which seed 5 has every type the generator makes.
func TestDecodeStoredAgreesWithDomain(t *testing.T) {
	t.Parallel()
	envs, err := synth.Events(synth.Options{Workers: 600, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	compare := func(typ string, data []byte) {
		t.Helper()
		want, err := domain.DecodeData(typ, data)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeStored(typ, data)
		if err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s decodes differently:\n got %#v\nwant %#v", typ, got, want)
		}
		seen[typ] = true
	}
	for _, env := range envs {
		data, err := domain.EncodeData(env.Event)
		if err != nil {
			t.Fatal(err)
		}
		compare(env.Type, data)
	}
	// The generator's output is pinned, so types it never makes (section 8's reports) are compared on the
	// domain's golden example, which sets every optional field.
	for _, typ := range []string{domain.TypeWorkerReported, domain.TypeWorkerReportResolved} {
		data, err := os.ReadFile(filepath.Join("..", "domain", "testdata", "golden", typ+".json"))
		if err != nil {
			t.Fatal(err)
		}
		compare(typ, data)
	}
	for _, typ := range domain.Types {
		if !seen[typ] {
			t.Errorf("the dataset has no %s: the comparison does not cover it", typ)
		}
	}
	if _, err := decodeStored("Nope", []byte(`{}`)); err == nil {
		t.Error("an unknown type decoded")
	}
}

// TestStoredRatesTakeTheFastDecoder: every rates table the domain encodes is read by decodeStoredRates, not
// handed on to goccy/go-json (which would answer the same, at ten times the cost of a cold query's tables).
func TestStoredRatesTakeTheFastDecoder(t *testing.T) {
	t.Parallel()
	envs, err := synth.Events(synth.Options{Workers: 50, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, env := range envs {
		if env.Type != domain.TypeExchangeRatesPublished {
			continue
		}
		data, err := domain.EncodeData(env.Event)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := decodeStoredRates(data)
		if !ok {
			t.Fatalf("a rates table as the domain encodes it is not read: %s", data)
		}
		if want := env.Event.(*domain.ExchangeRatesPublished); !reflect.DeepEqual(got, want) {
			t.Fatalf("%s decodes as %#v", data, got)
		}
		n++
	}
	if n == 0 {
		t.Fatal("the dataset has no rates table")
	}
}

// FuzzDecodeStoredRates: whatever text decodeStoredRates reads, the replay decoder (goccy/go-json without the
// race detector, where ops/test runs the seeds) reads as the same table.
func FuzzDecodeStoredRates(f *testing.F) {
	for _, s := range []string{
		`{"base":"USD","date":"2023-01-02","rates":{"AED":"3.67250","EUR":"0.91580"},"rates_id":"r-1","source":"IMF (synthetic)"}`,
		`{"base":"EUR","date":"2024-02-29","rates":{},"rates_id":"r","source":""}`,
		`{"base":"USD","date":"2023-01-02","rates":{"AED":"1","AED":"2"},"rates_id":"r","source":"a\"b"}`,
		`{"base":"USD","date":"2023-01-02","rates":{"AED":"1"},"rates_id":"r","source":"é"}`,
		`{"base":"USD", "date":"2023-01-02","rates":{"AED":"1"},"rates_id":"r","source":"s"}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := decodeStoredRates([]byte(s))
		if !ok {
			return
		}
		var want domain.ExchangeRatesPublished
		if err := unmarshalStored([]byte(s), &want); err != nil {
			t.Fatalf("%q read here, %s: %v", s, storedDecoder, err)
		}
		if !reflect.DeepEqual(got, &want) {
			t.Fatalf("%q: read as %#v, %s %#v", s, got, storedDecoder, &want)
		}
	})
}
