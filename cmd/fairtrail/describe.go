package main

import (
	"fmt"
	"strings"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
)

// describe writes a changed term's before or after value for people.
func describe(v any) string {
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
		if v.City == "" {
			return v.Country
		}
		return v.City + ", " + v.Country
	}
	return fmt.Sprint(v)
}
