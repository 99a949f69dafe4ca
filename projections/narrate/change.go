package narrate

import (
	"fmt"
	"strings"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
)

// Change says how a contract term changed for the worse against the version it is compared with, e.g.
// "hours_per_week higher vs contract c-1: 48 -> 60".
func Change(ch projections.Change, comparedWith string) string {
	return fmt.Sprintf("%s %s vs %s: %s -> %s", ch.Term, ch.Note, comparedWith, Value(ch.Before), Value(ch.After))
}

// Value writes a changed term's before or after value for people.
func Value(v any) string {
	switch v := v.(type) {
	case nil:
		return "none"
	case projections.WageView:
		return fmt.Sprintf("%s %s/%s (monthly %s)", v.Amount, v.Currency, v.Per, v.MonthlyEquivalent)
	case []domain.Deduction:
		parts := make([]string, len(v))
		for i, d := range v {
			parts[i] = fmt.Sprintf("%s %s %s/%s", d.Kind, d.Amount, d.Currency, d.Per)
		}
		return strings.Join(parts, ", ")
	case domain.Worksite:
		return Place(v)
	}
	return fmt.Sprint(v)
}
