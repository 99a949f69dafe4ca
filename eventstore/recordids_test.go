package eventstore_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"iter"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/storetest"
)

// reported is a WorkerReported line (no event_id when id is ""); kind tells two accounts apart.
func reported(id, worker, report, kind string) string {
	return record(id, "WorkerReported", `"worker_id":"`+worker+`","report_id":"`+report+`","kind":"`+kind+
		`","channel":"hotline","language":"ne"`)
}

func resolved(id, worker, report string) string {
	return `{"event_id":"` + id + `","type":"WorkerReportResolved","occurred_at":"2025-06-01T09:00:00Z","data":{"worker_id":"` +
		worker + `","report_id":"` + report + `","outcome":"withdrawn"}}`
}

// fee is a FeePaid line of fee_id fee (no event_id when id is ""); amount tells two fees apart.
func fee(id, worker, fee, amount string) string {
	return record(id, "FeePaid", `"worker_id":"`+worker+`","fee_id":"`+fee+`","category":"medical","amount":{"amount":"`+
		amount+`","currency":"NPR"},"payer":"worker","payee_id":"agency-1","method":"cash"`)
}

// reimbursed is a FeeReimbursed line of reimbursement_id reimbursement, paying back fee_id fee.
func reimbursed(id, worker, reimbursement, fee, amount string) string {
	return record(id, "FeeReimbursed", `"worker_id":"`+worker+`","reimbursement_id":"`+reimbursement+`","fee_id":"`+
		fee+`","amount":{"amount":"`+amount+`","currency":"NPR"},"paid_by":"emp-1"`)
}

// loan is a LoanTaken line of loan_id loan.
func loan(id, worker, loan, amount string) string {
	return record(id, "LoanTaken", `"worker_id":"`+worker+`","loan_id":"`+loan+`","principal":{"amount":"`+amount+
		`","currency":"NPR"},"purpose":"recruitment"`)
}

// record is a line of type typ with data's fields (no event_id when id is "").
func record(id, typ, data string) string {
	idField := ""
	if id != "" {
		idField = `"event_id":"` + id + `",`
	}
	return `{` + idField + `"type":"` + typ + `","occurred_at":"2025-05-01T09:00:00Z","data":{` + data + `}}`
}

// recordCases are the record-id rule's cases: what is stored (imported, or appended past the rule when legacy),
// the input, and the input's refused event (its index, -1 for none) with its kind, field (data.report_id when
// "") and problem.
var recordCases = []struct {
	name           string
	stored, legacy []string
	input          []string
	refused        int
	kind           error
	path, problem  string
	appended, dups int
}{
	{name: "a second account under a report_id used earlier in the input",
		input:   []string{reported(uuid(1), "w1", "r1", "threat"), reported(uuid(2), "w1", "r1", "deception")},
		refused: 1, kind: eventstore.ErrReportIDReused,
		problem: "already used for worker w1 by event " + uuid(1) + " (a new account of the worker takes a new report_id)"},
	{name: "a second account under a stored report's report_id", stored: []string{reported(uuid(1), "w1", "r1", "threat")},
		input:   []string{reported(uuid(2), "w1", "r1", "deception")},
		refused: 0, kind: eventstore.ErrReportIDReused,
		problem: "already used for worker w1 by event " + uuid(1) + " (a new account of the worker takes a new report_id)"},
	{name: "a stored report again without its event_id", stored: []string{reported(uuid(1), "w1", "r1", "threat")},
		input: []string{reported("", "w1", "r1", "threat")}, refused: 0, kind: eventstore.ErrReportIDReused,
		problem: "already used for worker w1 by event " + uuid(1) + " (a new account of the worker takes a new report_id)"},
	{name: "a resolution of a report neither stored nor in the input", stored: []string{reported(uuid(1), "w2", "r1", "threat")},
		input: []string{resolved(uuid(2), "w1", "r1")}, refused: 0, kind: eventstore.ErrReportNotFound,
		problem: "report r1 of worker w1 not found (record its WorkerReported first, or earlier in the same input)"},
	{name: "a resolution before its report in the input",
		input:   []string{resolved(uuid(2), "w1", "r1"), reported(uuid(1), "w1", "r1", "threat")},
		refused: 0, kind: eventstore.ErrReportNotFound,
		problem: "report r1 of worker w1 not found (record its WorkerReported first, or earlier in the same input)"},
	{name: "the same report_id for another worker is another report",
		input:   []string{reported(uuid(1), "w1", "r1", "threat"), reported(uuid(2), "w2", "r1", "threat"), resolved(uuid(3), "w2", "r1")},
		refused: -1, appended: 3},
	{name: "a resolution of a stored report", stored: []string{reported(uuid(1), "w1", "r1", "threat")},
		input: []string{resolved(uuid(2), "w1", "r1"), resolved(uuid(3), "w1", "r1")}, refused: -1, appended: 2},
	{name: "a report and its resolution again are duplicates",
		stored: []string{reported(uuid(1), "w1", "r1", "threat"), resolved(uuid(2), "w1", "r1")},
		input:  []string{reported(uuid(1), "w1", "r1", "threat"), resolved(uuid(2), "w1", "r1")}, refused: -1, dups: 2},
	{name: "the same report twice in the input is stored once",
		input:   []string{reported(uuid(1), "w1", "r1", "threat"), reported(uuid(1), "w1", "r1", "threat")},
		refused: -1, appended: 1, dups: 1},
	{name: "a stored resolution again is a duplicate, whatever the store holds", legacy: []string{resolved(uuid(2), "w1", "r9")},
		input: []string{resolved(uuid(2), "w1", "r9")}, refused: -1, dups: 1},
	{name: "a second fee under a fee_id used earlier in the input",
		input:   []string{fee(uuid(1), "w1", "f1", "100.00"), fee(uuid(2), "w1", "f1", "200.00")},
		refused: 1, kind: eventstore.ErrFeeIDReused, path: "data.fee_id",
		problem: "already used for worker w1 by event " + uuid(1) + " (a new fee takes a new fee_id)"},
	{name: "a stored fee again without its event_id", stored: []string{fee(uuid(1), "w1", "f1", "100.00")},
		input: []string{fee("", "w1", "f1", "100.00")}, refused: 0, kind: eventstore.ErrFeeIDReused, path: "data.fee_id",
		problem: "already used for worker w1 by event " + uuid(1) + " (a new fee takes a new fee_id)"},
	{name: "a stored reimbursement posted again without its event_id",
		stored: []string{fee(uuid(1), "w1", "f1", "100.00"), reimbursed(uuid(2), "w1", "re1", "f1", "100.00")},
		input:  []string{reimbursed("", "w1", "re1", "f1", "100.00")}, refused: 0, kind: eventstore.ErrReimbursementIDReused,
		path:    "data.reimbursement_id",
		problem: "already used for worker w1 by event " + uuid(2) + " (a new reimbursement takes a new reimbursement_id)"},
	{name: "a second loan under a stored loan's loan_id", stored: []string{loan(uuid(1), "w1", "l1", "5000.00")},
		input: []string{loan(uuid(2), "w1", "l1", "6000.00")}, refused: 0, kind: eventstore.ErrLoanIDReused, path: "data.loan_id",
		problem: "already used for worker w1 by event " + uuid(1) + " (a new loan takes a new loan_id)"},
	{name: "one id for a fee, a reimbursement, a loan and a report names four records",
		stored: []string{fee(uuid(1), "w1", "x1", "100.00")},
		input: []string{reimbursed(uuid(2), "w1", "x1", "x1", "50.00"), loan(uuid(3), "w1", "x1", "10.00"),
			reported(uuid(4), "w1", "x1", "threat"), fee(uuid(5), "w2", "x1", "100.00")},
		refused: -1, appended: 4},
	{name: "a fee, its reimbursement and a loan again are duplicates",
		stored:  []string{fee(uuid(1), "w1", "f1", "100.00"), reimbursed(uuid(2), "w1", "re1", "f1", "100.00"), loan(uuid(3), "w1", "l1", "1.00")},
		input:   []string{fee(uuid(1), "w1", "f1", "100.00"), reimbursed(uuid(2), "w1", "re1", "f1", "100.00"), loan(uuid(3), "w1", "l1", "1.00")},
		refused: -1, dups: 3},
}

// pathOf is the field a case's refusal names.
func pathOf(path string) string {
	if path == "" {
		return "data.report_id"
	}
	return path
}

// storeReports imports stored into a new store, and appends legacy past the ingest (as a store written before
// the rule may hold them).
func storeReports(t *testing.T, stored, legacy []string) eventstore.Store {
	t.Helper()
	s := openStore(t)
	in := strings.Join(append([]string{arrival(uuid(900), "w0")}, stored...), "\n")
	if _, err := eventstore.Import(t.Context(), s, strings.NewReader(in), eventstore.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, line := range legacy {
		a, err := eventstore.Admit([]byte(line))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Append(t.Context(), eventstore.AppendRequest{Stream: a.Stream, Events: []eventstore.Proposed{a.Event}}); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// TestImportAppliesTheRecordIDRule checks that an import refuses, whole and before storing anything, a
// WorkerReported, FeePaid, FeeReimbursed or LoanTaken whose id its worker already uses (stored, or earlier in the
// input, in another chunk) and a WorkerReportResolved of a report neither stored nor earlier in the input,
// naming the line and the id's field; and that the same events again are duplicates.
func TestImportAppliesTheRecordIDRule(t *testing.T) {
	const pad = 300 // arrivals before each event of a case: its events fall in different chunks
	for _, tc := range recordCases {
		t.Run(tc.name, func(t *testing.T) {
			s := storeReports(t, tc.stored, tc.legacy)
			before := len(storetest.ReadAll(t, s, eventstore.Start))
			var in bytes.Buffer
			n := 0
			for _, line := range tc.input {
				for range pad {
					n++
					in.WriteString(arrival(uuid(1000+n), "w0") + "\n")
				}
				in.WriteString(line + "\n")
			}
			rep, err := eventstore.Import(t.Context(), s, &in, eventstore.ImportOptions{BatchSize: 64, Workers: 4})
			stored := len(storetest.ReadAll(t, s, eventstore.Start)) - before
			if tc.refused < 0 {
				if err != nil || rep.Appended != n+tc.appended || rep.Duplicates != tc.dups {
					t.Fatalf("import: %v, report %+v; want %d appended, %d duplicates", err, rep, n+tc.appended, tc.dups)
				}
				return
			}
			if stored != 0 || !errors.Is(err, eventstore.ErrRejected) || rep.Rejected != 1 {
				t.Fatalf("import: %v, report %+v, %d stored; want the input refused whole", err, rep, stored)
			}
			e := rep.Errors[0]
			line := (tc.refused + 1) * (pad + 1)
			if e.Line != line || len(e.Fields) != 1 || e.Fields[0].Path != pathOf(tc.path) || e.Fields[0].Problem != tc.problem {
				t.Errorf("line error %+v, want line %d %s: %s", e, line, pathOf(tc.path), tc.problem)
			}
			if reused := tc.kind != eventstore.ErrReportNotFound; (rep.IDsReused == 1) != reused || reused && rep.IDReused != tc.kind {
				t.Errorf("IDsReused %d (%v), want the line counted as a reused id: %v (%v)", rep.IDsReused, rep.IDReused, reused, tc.kind)
			}
		})
	}
}

// TestIngestAppliesTheRecordIDRule checks the same rule on a request-sized input (POST /v1/events): refused with
// a *RefusedEvents naming the event and matching its kind, after the front end's decision, nothing stored.
func TestIngestAppliesTheRecordIDRule(t *testing.T) {
	for _, tc := range recordCases {
		t.Run(tc.name, func(t *testing.T) {
			s := storeReports(t, tc.stored, tc.legacy)
			before := len(storetest.ReadAll(t, s, eventstore.Start))
			ids := eventstore.NewIDs(func() (domain.EventID, error) { return domain.NewEventID(time.Now(), rand.Reader) },
				func(int) string { return "" })
			var in []eventstore.Admitted
			for i, line := range tc.input {
				a, err := eventstore.Admit([]byte(line))
				if err != nil {
					t.Fatal(err)
				}
				if err := ids.Note(&a, i); err != nil {
					t.Fatal(err)
				}
				a.Event.RecordedBy = "import"
				in = append(in, a)
			}
			decided := false
			out, err := eventstore.Ingest(t.Context(), s, in, eventstore.IngestOptions{
				Decide: func(_ context.Context, _ []eventstore.Admitted) (map[string]bool, error) {
					decided = true
					return nil, nil
				}})
			stored := len(storetest.ReadAll(t, s, eventstore.Start)) - before
			if !decided {
				t.Fatal("the front end's decision was not asked for")
			}
			if tc.refused < 0 {
				appended, dups := eventstore.Counted(out.Results)
				if err != nil || appended != tc.appended || dups != tc.dups {
					t.Fatalf("ingest: %v, %d appended, %d duplicates; want %d and %d", err, appended, dups, tc.appended, tc.dups)
				}
				return
			}
			var refused *eventstore.RefusedEvents
			if stored != 0 || !errors.As(err, &refused) || !errors.Is(err, tc.kind) || len(refused.Events) != 1 {
				t.Fatalf("ingest: %v, %d stored; want event %d refused (%v), nothing stored", err, stored, tc.refused, tc.kind)
			}
			var ve *domain.ValidationError
			r := refused.Events[0]
			if r.At != tc.refused || !errors.As(r.Err, &ve) || ve.Fields[0].Path != pathOf(tc.path) || ve.Fields[0].Problem != tc.problem {
				t.Errorf("refused %d: %v, want %d: %s: %s", r.At, r.Err, tc.refused, pathOf(tc.path), tc.problem)
			}
		})
	}
}

// streamReads is a store that notes the streams read from it (ReadStream), and looks ids up as its store does.
type streamReads struct {
	eventstore.Store
	mu   sync.Mutex
	read []string
}

func (s *streamReads) ReadStream(ctx context.Context, stream string, from uint64) iter.Seq2[eventstore.Recorded, error] {
	s.mu.Lock()
	s.read = append(s.read, stream)
	s.mu.Unlock()
	return s.Store.ReadStream(ctx, stream, from)
}

func (s *streamReads) FindEvents(ctx context.Context, keys []eventstore.EventKey) ([]eventstore.Recorded, error) {
	return s.Store.(eventstore.Finder).FindEvents(ctx, keys)
}

// TestImportReadsTheStreamsOfNewRecordsOnly checks what the record-id rule costs an import: into an empty store,
// and of a file imported again, no stream is read; of a file with a new report, its worker's stream alone.
func TestImportReadsTheStreamsOfNewRecordsOnly(t *testing.T) {
	s := &streamReads{Store: openStore(t)}
	file := []string{arrival(uuid(1), "w3"), reported(uuid(2), "w1", "r1", "threat"), resolved(uuid(3), "w1", "r1"),
		reported(uuid(4), "w2", "r1", "threat")}
	steps := []struct {
		name  string
		lines []string
		read  []string
	}{
		{"into an empty store", file, nil},
		{"the same file again", file, nil},
		{"with a new report", append(file, reported(uuid(5), "w2", "r2", "other"), arrival(uuid(6), "w1")), []string{"worker-w2"}},
	}
	for _, st := range steps {
		s.read = nil
		if _, err := eventstore.Import(t.Context(), s, strings.NewReader(strings.Join(st.lines, "\n")), eventstore.ImportOptions{}); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if !slices.Equal(s.read, st.read) {
			t.Errorf("%s: streams read %v, want %v", st.name, s.read, st.read)
		}
	}
}

// racingWriter is a store on which another writer appends its events (rival) just before the first AppendBatch
// of the ingest under test: in the window between the ingest's check of the records' ids and its append.
type racingWriter struct {
	eventstore.Store
	rival []eventstore.Admitted
	once  sync.Once
}

func (s *racingWriter) AppendBatch(ctx context.Context, reqs []eventstore.AppendRequest) ([]eventstore.AppendResult, error) {
	var err error
	s.once.Do(func() { _, err = s.Store.AppendBatch(ctx, eventstore.Requests(s.rival)) })
	if err != nil {
		return nil, err
	}
	return s.Store.AppendBatch(ctx, reqs)
}

// admitted admits lines with their event ids, recorded by import.
func admitted(t *testing.T, lines ...string) []eventstore.Admitted {
	t.Helper()
	out := make([]eventstore.Admitted, len(lines))
	for i, line := range lines {
		a, err := eventstore.Admit([]byte(line))
		if err != nil {
			t.Fatal(err)
		}
		a.Event.RecordedBy = "import"
		out[i] = a
	}
	return out
}

// TestIngestRefusesAnIDAConcurrentWriterTookAfterTheCheck checks that a record's id taken by another writer
// between the ingest's check and its append is refused all the same: the ingest appends the worker streams it
// read expecting them unchanged, and checks again when they moved. A request for another worker's stream, moved
// the same way, is stored.
func TestIngestRefusesAnIDAConcurrentWriterTookAfterTheCheck(t *testing.T) {
	cases := []struct {
		name  string
		rival string
		kind  error
	}{
		{"the same fee_id", fee(uuid(2), "w1", "f1", "300.00"), eventstore.ErrFeeIDReused},
		{"the same reimbursement_id", reimbursed(uuid(2), "w1", "f1", "f0", "300.00"), nil},
		{"the same report_id", reported(uuid(2), "w1", "f1", "threat"), nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := &racingWriter{Store: storeReports(t, []string{fee(uuid(1), "w1", "f0", "100.00")}, nil),
				rival: admitted(t, tc.rival)}
			_, err := eventstore.Ingest(t.Context(), s, admitted(t, fee(uuid(3), "w1", "f1", "200.00")), eventstore.IngestOptions{})
			fees := 0
			for rec, rerr := range s.ReadStream(t.Context(), "worker-w1", 0) {
				if rerr != nil {
					t.Fatal(rerr)
				}
				if rec.Type == "FeePaid" {
					fees++
				}
			}
			switch {
			case tc.kind != nil && (!errors.Is(err, tc.kind) || fees != 2):
				t.Fatalf("ingest: %v, %d fees stored; want %v and the rival's fee alone stored beside the first", err, fees, tc.kind)
			case tc.kind == nil && (err != nil || fees != 2):
				t.Fatalf("ingest: %v, %d fees stored; want it stored after the rival's event", err, fees)
			}
		})
	}
}
