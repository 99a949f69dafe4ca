package projections_test

import (
	"testing"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
)

// A worker's contract report says a contract was signed after departure exactly when the flag
// contract.signed_after_departure reads it so: departure is the first WorkerDeparted, else the first
// WorkerDeployed (spec section 4: "the worker departed or was deployed").
func TestContractReportSignedAfterDepartureAgreesWithTheFlag(t *testing.T) {
	cases := []struct {
		name  string
		steps []step
		want  bool
	}{
		{
			name:  "a contract signed after the worker departed",
			steps: world(on(30, "departed", departed()), on(33, "c1", contract("c-1", domain.StagePostArrival, terms()))),
			want:  true,
		},
		{
			name:  "a contract signed after the worker was deployed, no departure recorded",
			steps: world(on(30, "deployed", deployed()), on(33, "c1", contract("c-1", domain.StagePostArrival, terms()))),
			want:  true,
		},
		{
			name:  "a contract signed before the worker was deployed, no departure recorded",
			steps: world(on(20, "c1", contract("c-1", domain.StagePreDeparture, terms())), on(30, "deployed", deployed())),
		},
		{
			name:  "a contract signed before departure",
			steps: world(on(20, "c1", contract("c-1", domain.StagePreDeparture, terms())), on(30, "departed", departed())),
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newScenario(t, tc.steps)
			v := build(projections.Filter{}, s.globalOrder()).View(defaultClock)
			r, ok := v.Worker(worker1)
			if !ok || len(r.Contracts) != 1 {
				t.Fatalf("worker report: ok %v, %d contracts", ok, len(r.Contracts))
			}
			flagged := false
			for _, f := range v.Flags(projections.FlagQuery{}) {
				flagged = flagged || f.Code == domain.FlagContractSignedAfter
			}
			if got := r.Contracts[0].SignedAfterLeft; got != tc.want || flagged != tc.want {
				t.Errorf("signed_after_departure in the report = %v, flag raised = %v; want both %v", got, flagged, tc.want)
			}
		})
	}
}

// A worker's report says a passport is no longer held by the employer exactly when document.retained stops
// flagging it: once it is returned, or a later holder holds it for the worker.
func TestDocumentsHeldAgreeWithTheFlag(t *testing.T) {
	cases := []struct {
		name     string
		steps    []step
		returned []bool // per retention, in business-time order
	}{
		{
			name:     "a passport the employer keeps",
			steps:    world(on(22, "kept", retainedDoc(passport, employer1))),
			returned: []bool{false},
		},
		{
			name:     "a passport the employer returned",
			steps:    world(on(22, "kept", retainedDoc(passport, employer1)), on(29, "returned", returnedDoc(passport))),
			returned: []bool{true},
		},
		{
			name: "a passport the employer held and that the worker then holds",
			steps: world(on(22, "kept", retainedDoc(passport, employer1)),
				on(29, "worker-holds", retainedDoc(passport, worker1))),
			returned: []bool{true, false},
		},
		{
			name: "a passport the employer handed to its agency",
			steps: world(on(22, "kept", retainedDoc(passport, employer1)),
				on(29, "handed-on", retainedDoc(passport, destAgency))),
			returned: []bool{false, false},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newScenario(t, tc.steps)
			v := build(projections.Filter{}, s.globalOrder()).View(defaultClock)
			r, ok := v.Worker(worker1)
			if !ok || len(r.Documents) != len(tc.returned) {
				t.Fatalf("worker report: ok %v, documents %+v", ok, r.Documents)
			}
			flagged := map[string]bool{}
			for _, f := range v.Flags(projections.FlagQuery{}) {
				if f.Code == domain.FlagDocumentRetained {
					flagged[f.EventIDs[0]] = true
				}
			}
			for i, d := range r.Documents {
				if got := d.ReturnedAt != nil; got != tc.returned[i] {
					t.Errorf("%s held by %s: returned %v, want %v", d.Document, d.HeldBy, got, tc.returned[i])
				}
				if still := d.ReturnedAt == nil && d.HeldBy != worker1; flagged[d.EventID] != still {
					t.Errorf("%s held by %s: flagged %v, held still %v", d.Document, d.HeldBy, flagged[d.EventID], still)
				}
			}
		})
	}
}
