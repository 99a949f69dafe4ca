package projections

import (
	"reflect"
	"testing"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/domain/synth"
)

// TestDecodeStoredAgreesWithDomain holds the replay decoder (goccy/go-json, no validation) to the validating
// decoder of the domain on a generated dataset that exercises every event type.
func TestDecodeStoredAgreesWithDomain(t *testing.T) {
	t.Parallel()
	envs, err := synth.Events(synth.Options{Workers: 2000, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, env := range envs {
		data, err := domain.EncodeData(env.Event)
		if err != nil {
			t.Fatal(err)
		}
		want, err := domain.DecodeData(env.Type, data)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeStored(env.Type, data)
		if err != nil {
			t.Fatalf("%s: %v", env.Type, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s decodes differently:\n got %#v\nwant %#v", env.Type, got, want)
		}
		seen[env.Type] = true
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
