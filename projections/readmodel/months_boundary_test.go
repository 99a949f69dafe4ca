package readmodel_test

import (
	"path/filepath"
	"testing"

	"github.com/fairtrail/fairtrail/projections"
)

// boundaryJobOrder is the job order of testdata/months_boundary.ndjson, boundaryFile, which the conformance
// dataset ends with (spec section 7): a wage of 1500 MYR a month, and six workers who paid 1499.99, 1500.00 (one month
// exactly), 1500.01 (a cent over), 1507.49, 1507.50 (1.005 months, which rounds half-even to 1.00) and
// 1507.51. All but the last have the figure 1.00; the last four paid more than one month's wage.
const boundaryJobOrder = "jo-months"

// boundaryFile holds the events of boundaryJobOrder and its workers.
var boundaryFile = filepath.Join("testdata", "months_boundary.ndjson")

// checkBoundary checks, when v knows boundaryJobOrder, that rows (an audit by job order in a reporting
// currency, unscoped or scoped to buyer-2) hold its row and count in it the workers who paid more than one
// month's wage, not those whose rounded figure is above 1.00.
func checkBoundary(t *testing.T, v *projections.View, rows []projections.AuditRow) {
	t.Helper()
	if _, ok := v.JobOrder(boundaryJobOrder); !ok {
		return
	}
	for _, r := range rows {
		if r.Key != boundaryJobOrder {
			continue
		}
		if m := r.MonthsOfWages; m == nil || m.WorkersWithFigure != 6 || m.WorkersAboveOneMonth != 4 || m.Median != "1.00" {
			t.Errorf("months of wages of %s: %+v, want 4 workers above one month of 6, median 1.00", r.Key, m)
		}
		return
	}
	t.Errorf("no row of %s in an audit by job order", boundaryJobOrder)
}
