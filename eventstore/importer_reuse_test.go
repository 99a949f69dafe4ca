package eventstore_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/storetest"
)

// reuseInput is n arrivals with ids 1..n, its line at holding line instead.
func reuseInput(n, at int, line string) []byte {
	var in bytes.Buffer
	for i := 1; i <= n; i++ {
		if i == at {
			in.WriteString(line + "\n")
			continue
		}
		in.WriteString(arrival(uuid(i), fmt.Sprintf("w%d", i%7)) + "\n")
	}
	return in.Bytes()
}

// TestImportRefusesAStoredIDReusedBeforeStoringAnything checks that a line whose event_id is stored for a
// different event makes the whole input a rejected one, named by line and event_id, with nothing stored from it
// (not the batches before the line), and that the same event under its stored id is a duplicate.
func TestImportRefusesAStoredIDReusedBeforeStoringAnything(t *testing.T) {
	const n, at = 300, 250
	stored := arrival(uuid(at), "w5") // stream worker-w5, country MY
	cases := []struct {
		name      string
		line      string
		rejected  bool
		appended  int
		duplicate int
	}{
		{"different data in the same stream", strings.Replace(stored, `"MY"`, `"TH"`, 1), true, 0, 0},
		{"another stream", arrival(uuid(at), "w6"), true, 0, 0},
		{"the same event is a duplicate", stored, false, n - 1, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := openStore(t)
			if _, err := eventstore.Import(t.Context(), s, strings.NewReader(stored+"\n"), eventstore.ImportOptions{}); err != nil {
				t.Fatal(err)
			}
			rep, err := eventstore.Import(t.Context(), s, bytes.NewReader(reuseInput(n, at, tc.line)),
				eventstore.ImportOptions{BatchSize: 64})
			if got := len(storetest.ReadAll(t, s, eventstore.Start)); got != 1+tc.appended {
				t.Fatalf("store holds %d events, want %d (%v)", got, 1+tc.appended, err)
			}
			if rep.Appended != tc.appended || rep.Duplicates != tc.duplicate {
				t.Errorf("report %+v, want %d appended and %d duplicates", rep, tc.appended, tc.duplicate)
			}
			if !tc.rejected {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, eventstore.ErrRejected) || rep.Rejected != 1 || rep.Reused != 1 || len(rep.Errors) != 1 {
				t.Fatalf("import: %v, report %+v; want line %d rejected for its event_id", err, rep, at)
			}
			e := rep.Errors[0]
			want := "already used by a different event (stored at position 1 in worker-w5)"
			if e.Line != at || len(e.Fields) != 1 || e.Fields[0].Path != "event_id" || e.Fields[0].Problem != want {
				t.Errorf("line error %+v, want line %d event_id: %s", e, at, want)
			}
		})
	}
}

// TestImportIntoAStoreWithoutFinder checks that a store that cannot look ids up ahead still refuses the clash as
// the import appends, and that the error then does not promise that importing the file again stores the rest.
func TestImportIntoAStoreWithoutFinder(t *testing.T) {
	const n, at = 300, 250
	s := openStore(t)
	stored := arrival(uuid(at), "w5")
	if _, err := eventstore.Import(t.Context(), s, strings.NewReader(stored+"\n"), eventstore.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	plain := struct{ eventstore.Store }{s} // not a Finder
	in := reuseInput(n, at, strings.Replace(stored, `"MY"`, `"TH"`, 1))
	rep, err := eventstore.Import(t.Context(), plain, bytes.NewReader(in), eventstore.ImportOptions{BatchSize: 64})
	if !errors.Is(err, eventstore.ErrEventIDReused) || rep.Appended != 192 {
		t.Fatalf("import: %v, report %+v; want ErrEventIDReused after 3 batches of 64", err, rep)
	}
	if strings.Contains(err.Error(), "stores the rest") || !strings.Contains(err.Error(), "stops at the same event") {
		t.Errorf("error %q promises what a retry cannot do", err)
	}
}
