package projections

import (
	"slices"
	"testing"

	"github.com/fairtrail/fairtrail/domain"
)

// TestEveryCodeHasOneRule: every flag code of the catalogue is raised by exactly one entry of the rule tables,
// and no entry raises a code the catalogue lacks (the counts and the persisted model are sized from
// domain.FlagCodes). The clocked table holds exactly the codes Clocked names.
func TestEveryCodeHasOneRule(t *testing.T) {
	var codes []string
	for _, r := range workerRules {
		codes = append(codes, r.code)
	}
	for _, r := range clockedRules {
		codes = append(codes, r.code)
		if !Clocked(domain.Flag{Code: r.code}) {
			t.Errorf("%s is judged by the clocked table but Clocked says it does not depend on the clock", r.code)
		}
	}
	for _, r := range jobOrderRules {
		codes = append(codes, r.code)
	}
	slices.Sort(codes)
	want := slices.Sorted(slices.Values(domain.FlagCodes))
	if !slices.Equal(codes, want) {
		t.Fatalf("rules raise %v\nthe catalogue has %v", codes, want)
	}
	for _, code := range domain.FlagCodes {
		inClocked := slices.ContainsFunc(clockedRules, func(r rule) bool { return r.code == code })
		if Clocked(domain.Flag{Code: code}) != inClocked {
			t.Errorf("Clocked(%s) = %v, but its rule is in the clocked table: %v", code, !inClocked, inClocked)
		}
	}
	if len(flagCounts{}) != len(domain.FlagCodes) {
		t.Errorf("flagCounts counts %d codes, the catalogue has %d", len(flagCounts{}), len(domain.FlagCodes))
	}
}
