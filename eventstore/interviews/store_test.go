package interviews_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/embedded"
	"github.com/fairtrail/fairtrail/eventstore/interviews"
	"github.com/fairtrail/fairtrail/eventstore/notes"
	"github.com/fairtrail/fairtrail/eventstore/storetest"
)

// failing is a store whose bulk appends fail, as a full disk or a lost server would.
type failing struct{ eventstore.Store }

var errDisk = errors.New("disk full")

func (failing) AppendBatch(context.Context, []eventstore.AppendRequest) ([]eventstore.AppendResult, error) {
	return nil, errDisk
}

// stores opens an embedded store holding an auditor, a buyer and worker w-1, and a note store.
func stores(t *testing.T) (*embedded.Store, *notes.Store) {
	t.Helper()
	dir := t.TempDir()
	s, err := embedded.Open(filepath.Join(dir, "data"), embedded.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	ns, err := notes.Open(dir, notes.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ns.Close() })
	at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, e := range []domain.Event{
		&domain.OrganisationRegistered{OrgID: "aud-1", Name: "Fair Audit", Role: domain.RoleAuditor, Country: "GB"},
		&domain.OrganisationRegistered{OrgID: "buyer-1", Name: "Brand", Role: domain.RoleBuyer, Country: "GB"},
		&domain.WorkerRecruited{WorkerID: "w-1", JobOrderID: "jo-1", OriginCountry: "NP", RecruitedBy: "ag-1", Languages: []string{"ne"}},
	} {
		id, _ := domain.NewEventID(at.Add(time.Duration(i)*time.Millisecond), strings.NewReader(strings.Repeat("x", 64)))
		p, err := eventstore.ProposedFrom(domain.Envelope{EventID: id, Type: e.EventType(), OccurredAt: at, Event: e}, "import")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Append(context.Background(), eventstore.AppendRequest{Stream: e.Stream(), Events: []eventstore.Proposed{p}}); err != nil {
			t.Fatal(err)
		}
	}
	return s, ns
}

func findings(t *testing.T, sheet string) []interviews.Finding {
	t.Helper()
	fs, err := interviews.Parse(interviews.CSV, strings.NewReader(sheet), interviews.Options{Language: "ne"})
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

func TestStoreTwiceAddsNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, ns := stores(t)
	fs := findings(t, head+"w-1,2025-03-04,threat,,,,,They threatened us.\nw-1,2025-03-05,other,,,,,\n")
	if err := interviews.Check(ctx, s, fs, "aud-1"); err != nil {
		t.Fatal(err)
	}
	rep, err := interviews.Store(ctx, s, ns, fs, "aud-1", nil)
	if err != nil || rep != (interviews.Report{Rows: 2, Appended: 2, Notes: 1}) {
		t.Fatalf("Store = %+v, %v", rep, err)
	}
	rep, err = interviews.Store(ctx, s, ns, fs, "aud-1", nil)
	if err != nil || rep != (interviews.Report{Rows: 2, Duplicates: 2, Notes: 1}) {
		t.Fatalf("second Store = %+v, %v", rep, err)
	}
	for rec, err := range s.ReadStream(ctx, "worker-w-1", 1) {
		if err != nil || rec.RecordedBy != "aud-1" {
			t.Fatalf("stored %+v, %v: want recorded_by aud-1", rec, err)
		}
	}
}

func TestStoreTakesNotesBackWhenNothingIsStored(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, ns := stores(t)
	fs := findings(t, head+"w-1,2025-03-04,threat,,,,,They threatened us.\n")
	if _, err := interviews.Store(ctx, failing{s}, ns, fs, "aud-1", nil); !errors.Is(err, errDisk) {
		t.Fatalf("Store = %v, want the disk's error", err)
	}
	if c, _ := ns.Count(ctx); c.Notes != 0 {
		t.Fatalf("%d notes kept for events never stored", c.Notes)
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := stores(t)
	fs := findings(t, head+"w-1,2025-03-04,threat,,,,,\nw-9,2025-03-04,threat,,,,,\n")
	err := interviews.Check(ctx, s, fs, "aud-1")
	var probs interviews.Problems
	if !errors.As(err, &probs) || len(probs) != 1 ||
		probs[0].Error() != "row 3, column A: worker: no worker w-9 in the store (record the worker's WorkerRecruited first)" {
		t.Fatalf("Check = %v", err)
	}
	for _, recorder := range []string{"buyer-1", "aud-unknown"} {
		if err := interviews.Check(ctx, s, fs[:1], recorder); !errors.Is(err, interviews.ErrRecorder) {
			t.Errorf("Check recorded by %s = %v, want ErrRecorder", recorder, err)
		}
	}
}

// plant stores, under the id of finding f, a different finding of the same worker: as an event imported from
// elsewhere, or a sheet read by an older rule, would have taken the id.
func plant(t *testing.T, s eventstore.Store, f interviews.Finding) {
	t.Helper()
	other := findings(t, head+"w-1,2025-03-06,other,,,,,Not this finding.\n")[0].Env
	other.EventID = f.Env.EventID
	p, err := eventstore.ProposedFrom(other, "aud-1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Append(t.Context(), eventstore.AppendRequest{Stream: other.Stream(), Events: []eventstore.Proposed{p}}); err != nil {
		t.Fatal(err)
	}
}

// TestStoreRefusesASheetReusingAStoredID checks that a sheet one of whose rows past the first batch of 2,000 has
// an event id stored for a different event is refused whole before anything is stored, its notes included (not
// after the first batch), naming the row and event_id; that the sheet without that row stores every other row;
// and that storing it again is all duplicates.
func TestStoreRefusesASheetReusingAStoredID(t *testing.T) {
	t.Parallel()
	const n, at = 2500, 2400 // at: the finding whose id is taken, past the first batch
	ctx := context.Background()
	s, ns := stores(t)
	var sheet strings.Builder
	sheet.WriteString(head)
	for i := range n {
		fmt.Fprintf(&sheet, "w-1,2025-03-04,threat,,,,,Finding %d.\n", i)
	}
	fs := findings(t, sheet.String())
	plant(t, s, fs[at])
	counts := func() (int, int) {
		c, err := ns.Count(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return len(storetest.ReadAll(t, s, eventstore.Start)), c.Notes
	}

	rep, err := interviews.Store(ctx, s, ns, fs, "aud-1", nil)
	var probs interviews.Problems
	want := fmt.Sprintf("row %d: event_id: the id derived from this row is already used by a different event "+
		"(stored at position 4 in worker-w-1)", fs[at].Row)
	if !errors.As(err, &probs) || len(probs) != 1 || probs[0].Error() != want {
		t.Fatalf("Store = %+v, %v; want the sheet refused: %s", rep, err, want)
	}
	if events, notes := counts(); events != 4 || notes != 0 || rep.Appended+rep.Duplicates != 0 {
		t.Fatalf("refused sheet: store holds %d events (want the 4 before it) and %d notes (want 0), report %+v", events, notes, rep)
	}

	without := slices.Delete(slices.Clone(fs), at, at+1)
	rep, err = interviews.Store(ctx, s, ns, without, "aud-1", nil)
	if err != nil || rep != (interviews.Report{Rows: n - 1, Appended: n - 1, Notes: n - 1}) {
		t.Fatalf("the sheet without the row: Store = %+v, %v", rep, err)
	}
	rep, err = interviews.Store(ctx, s, ns, without, "aud-1", nil)
	if err != nil || rep != (interviews.Report{Rows: n - 1, Duplicates: n - 1, Notes: n - 1}) {
		t.Fatalf("the same sheet again: Store = %+v, %v", rep, err)
	}
	if events, notes := counts(); events != 4+n-1 || notes != n-1 {
		t.Fatalf("store holds %d events and %d notes, want %d and %d", events, notes, 4+n-1, n-1)
	}
}

// TestStoreIntoAStoreWithoutFinder checks that a store that cannot look ids up ahead still meets the clash as the
// sheet is appended, after the first batch, and that the error then does not promise that importing the sheet
// again stores the rest.
func TestStoreIntoAStoreWithoutFinder(t *testing.T) {
	t.Parallel()
	const n, at = 2500, 2400
	ctx := context.Background()
	s, ns := stores(t)
	var sheet strings.Builder
	sheet.WriteString(head)
	for range n {
		sheet.WriteString("w-1,2025-03-04,threat,,,,,\n") // identical rows: each its own id, by its place
	}
	fs := findings(t, sheet.String())
	plant(t, s, fs[at])
	plain := struct{ eventstore.Store }{s} // not a Finder
	rep, err := interviews.Store(ctx, plain, ns, fs, "aud-1", nil)
	if !errors.Is(err, eventstore.ErrEventIDReused) || rep.Appended != 2000 {
		t.Fatalf("Store = %+v, %v; want ErrEventIDReused after the first batch of 2000", rep, err)
	}
	if strings.Contains(err.Error(), "stores the rest") || !strings.Contains(err.Error(), "importing the sheet again stops at the same event") {
		t.Errorf("error %q promises what a retry cannot do", err)
	}
}

// TestStoreAppliesTheReportRule checks that a sheet giving a report_id its worker already has (stored, or in an
// earlier row) is refused whole, naming the row and report_id, with nothing stored, notes included; and that
// the same sheet's rows with their own report_ids store, and store again as duplicates.
func TestStoreAppliesTheReportRule(t *testing.T) {
	t.Parallel()
	const sheetHead = "worker,date,kind,report_id,note\n"
	ctx := context.Background()
	s, ns := stores(t)
	first := findings(t, sheetHead+"w-1,2025-03-04,threat,r-1,They threatened us.\n")
	if _, err := interviews.Store(ctx, s, ns, first, "aud-1", nil); err != nil {
		t.Fatal(err)
	}
	stored := func() (int, int) {
		c, err := ns.Count(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return len(storetest.ReadAll(t, s, eventstore.Start)), c.Notes
	}
	for name, sheet := range map[string]string{
		"stored":  "w-1,2025-03-05,other,r-2,Another account.\nw-1,2025-03-06,deception,r-1,A second account.\n",
		"earlier": "w-1,2025-03-05,other,r-3,Another account.\nw-1,2025-03-06,deception,r-3,A second account.\n",
	} {
		fs := findings(t, sheetHead+sheet)
		rep, err := interviews.Store(ctx, s, ns, fs, "aud-1", nil)
		var probs interviews.Problems
		if !errors.As(err, &probs) || len(probs) != 1 || probs[0].Row != 3 ||
			!strings.HasPrefix(probs[0].Problem, "report_id: already used for worker w-1 by event ") {
			t.Fatalf("%s: Store = %+v, %v; want row 3 refused for its report_id", name, rep, err)
		}
		if events, notes := stored(); events != 4 || notes != 1 {
			t.Fatalf("%s: refused sheet left %d events (want 4) and %d notes (want 1)", name, events, notes)
		}
	}
	fs := findings(t, sheetHead+"w-1,2025-03-05,other,r-2,Another account.\nw-1,2025-03-06,deception,r-3,A second account.\n")
	for _, want := range []interviews.Report{{Rows: 2, Appended: 2, Notes: 2}, {Rows: 2, Duplicates: 2, Notes: 2}} {
		if rep, err := interviews.Store(ctx, s, ns, fs, "aud-1", nil); err != nil || rep != want {
			t.Fatalf("Store = %+v, %v; want %+v", rep, err, want)
		}
	}
}
