package projections

import (
	"slices"
	"testing"

	"github.com/fairtrail/fairtrail/domain"
)

// TestEveryCodeHasOneRule: every flag code of the catalogue is raised by exactly one rule, and no rule raises
// a code the catalogue lacks (the counts and the persisted model are sized from domain.FlagCodes).
func TestEveryCodeHasOneRule(t *testing.T) {
	codes := slices.Clone(otherRules)
	for _, r := range workerRules {
		codes = append(codes, r.codes...)
	}
	slices.Sort(codes)
	want := slices.Sorted(slices.Values(domain.FlagCodes))
	if !slices.Equal(codes, want) {
		t.Fatalf("rules raise %v\nthe catalogue has %v", codes, want)
	}
	if len(flagCounts{}) != len(domain.FlagCodes) {
		t.Errorf("flagCounts counts %d codes, the catalogue has %d", len(flagCounts{}), len(domain.FlagCodes))
	}
}
