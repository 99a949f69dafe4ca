package projections

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/domain/synth"
)

// TestDecodeStoredAgreesWithDomain holds the replay decoder (goccy/go-json, no validation) to the validating
// decoder of the domain on a generated dataset that exercises every event type: 600 workers (about 12,800
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
