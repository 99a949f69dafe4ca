package projections_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/fairtrail/fairtrail/domain/synth"
	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/embedded"
)

// generatedStore is a new embedded store holding the generator's dataset of workers workers and seed, closed
// when the test ends.
func generatedStore(t *testing.T, workers int, seed int64) *embedded.Store {
	t.Helper()
	s, err := embedded.Open(t.TempDir(), embedded.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	var in bytes.Buffer
	if _, err := synth.Generate(&in, synth.Options{Workers: workers, Seed: seed}); err != nil {
		t.Fatal(err)
	}
	if _, err := eventstore.Import(context.Background(), s, &in, eventstore.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	return s
}
