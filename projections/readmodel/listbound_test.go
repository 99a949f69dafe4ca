package readmodel_test

import (
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/projections/readmodel"
)

// TestListingsStopPastTheirLastListableFlag: a listing other than a worker's stops at a key past every flag it
// can list (the month after the last month flag_months counts, or its clock if later), not at the end of the
// index. At a clock before any flag was raised the flags that are not clocked stand all the same, and at one
// past every deadline the clocked ones too: both answer as a model rebuilt in memory.
func TestListingsStopPastTheirLastListableFlag(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := openStore(t, dir)
	m := openModel(t, dir, readmodel.Options{})
	importLines(t, s, lines(t))
	catchUp(t, m, s)
	conformAt(t, m, s, []time.Time{time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), recordedAt.AddDate(5, 0, 0)}, 0.5)
}
