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
