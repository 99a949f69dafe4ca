package interviews_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/embedded"
	"github.com/fairtrail/fairtrail/eventstore/interviews"
	"github.com/fairtrail/fairtrail/eventstore/notes"
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
