package readmodel_test

import (
	"regexp"
	"testing"

	"github.com/fairtrail/fairtrail/projections/readmodel"
)

// recruiter finds the first recruiter the dataset names.
var recruiter = regexp.MustCompile(`"recruited_by":"([^"]+)"`)

// TestPolicyAndOrganisationPostsAnswerAsAModelRebuiltInMemory posts a buyer's policy and a registration of a
// recruiter (its licence expired before any recruitment) to a caught-up model: the catch-up judges again the
// workers they reach, and the model answers every query of the conformance suite as a model rebuilt in memory
// from the same events.
func TestPolicyAndOrganisationPostsAnswerAsAModelRebuiltInMemory(t *testing.T) {
	t.Parallel()
	ls := lines(t)
	var by string
	for _, l := range ls {
		if m := recruiter.FindStringSubmatch(l); m != nil {
			by = m[1]
			break
		}
	}
	if by == "" {
		t.Fatal("the dataset recruits nobody")
	}
	dir := t.TempDir()
	s := openStore(t, dir)
	importLines(t, s, ls)
	m := openModel(t, dir, readmodel.Options{ReachShare: 1, Currencies: []string{"USD"}})
	catchUp(t, m, s)
	importLines(t, s, []string{
		`{"event_id":"0190b6a4-0000-7000-8000-0000000000c1","type":"PolicyAdopted","occurred_at":"2023-01-03T00:00:00Z",` +
			`"data":{"authority":"buyer code","effective_from":"2020-01-01","name":"cap","policy_id":"pol-reach-test",` +
			`"rules":[{"category":"recruitment_fee","max":{"amount":"50.00","currency":"USD"}}],"scope":{"buyer_id":"buyer-1"}}}` + "\n",
		`{"event_id":"0190b6a4-0000-7000-8000-0000000000c2","type":"OrganisationRegistered","occurred_at":"2023-02-01T00:00:00Z",` +
			`"data":{"country":"NP","licence":{"authority":"DoFE","number":"1","valid_until":"2020-01-01"},"name":"Renamed",` +
			`"org_id":"` + by + `","role":"agency"}}` + "\n",
	})
	if res := catchUp(t, m, s); res.Rebuilt || res.Applied != 2 {
		t.Fatalf("catch-up of a policy and an organisation: %+v, want both applied incrementally", res)
	}
	conform(t, m, s)
}
