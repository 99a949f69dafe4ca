package eventstore_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/embedded"
	"github.com/fairtrail/fairtrail/eventstore/storetest"
)

// FuzzImport feeds arbitrary bytes to Import as an NDJSON file. It must never panic, and it must either
// reject the input and store nothing, or store every non-blank line (new or duplicate).
func FuzzImport(f *testing.F) {
	f.Add([]byte(arrival(uuid(1), "w1") + "\n" + arrival(uuid(2), "w2") + "\n"))
	f.Add([]byte(arrival(uuid(1), "w1") + "\n" + arrival(uuid(1), "w1")))
	f.Add([]byte("\n\n" + arrival("", "w1") + "\r\n"))
	f.Add([]byte(`{"type":"WorkerArrived"}` + "\n" + arrival(uuid(3), "w3")))
	f.Add([]byte(`[1,2,3]`))
	f.Add([]byte{0xff, 0xfe, '\n', '{'})
	f.Fuzz(func(t *testing.T, input []byte) {
		s, err := embedded.Open(t.TempDir(), embedded.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		rep, err := eventstore.Import(context.Background(), s, bytes.NewReader(input), eventstore.ImportOptions{})
		stored := len(storetest.ReadAll(t, s, eventstore.Start))
		switch {
		case errors.Is(err, eventstore.ErrRejected):
			if stored != 0 || rep.Rejected == 0 {
				t.Fatalf("rejected input stored %d events (report %+v)", stored, rep)
			}
		case err != nil:
			t.Fatalf("import failed: %v", err)
		default:
			nonBlank := 0
			for _, line := range bytes.Split(input, []byte("\n")) {
				if len(bytes.TrimSpace(line)) > 0 {
					nonBlank++
				}
			}
			if rep.Appended+rep.Duplicates != nonBlank || stored != rep.Appended {
				t.Fatalf("accepted input: report %+v, %d stored, %d non-blank lines", rep, stored, nonBlank)
			}
		}
	})
}
