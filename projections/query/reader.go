package query

import (
	"context"
	"time"

	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/projections"
	"github.com/fairtrail/fairtrail/projections/readmodel"
)

// Reader answers queries from a store and its persisted read model, which the caller has caught up.
type Reader struct {
	Store eventstore.Store
	Model *readmodel.Model
}

// Flags calls fn with the JSON of each flag the query selects, in listing order, as it is read: from the read
// model's flag index when filter is zero (judged at now), else from a replay under the filter (judged at the
// filter's clock) merged shard by shard (see readmodel.Model.ListFlagsUnder). fn's error stops the listing and
// is returned.
func (r Reader) Flags(ctx context.Context, q projections.FlagQuery, filter projections.Filter, now time.Time,
	fn func(flag string) error) error {
	if filter == (projections.Filter{}) {
		return r.Model.Flags(ctx, q, now, readmodel.FlagSeek{}, func(_ []byte, f string) error { return fn(f) })
	}
	for f, err := range r.Model.ListFlagsUnder(ctx, r.Store, q, filter, filter.Clock(now), nil) {
		if err != nil {
			return err
		}
		if err := fn(f.JSON()); err != nil {
			return err
		}
	}
	return nil
}

// Audit answers an audit: from the maintained rollups when filter is zero (judged at now), else from a
// replay under the filter.
func (r Reader) Audit(ctx context.Context, q projections.AuditQuery, filter projections.Filter, now time.Time) ([]projections.AuditRow, error) {
	if filter == (projections.Filter{}) {
		return r.Model.Audit(ctx, q, now)
	}
	return r.Model.AuditUnder(ctx, r.Store, q, filter, filter.Clock(now))
}

// Worker returns a view of one worker under filter, judged at the filter's clock (now without one), made from
// its events read back by stream: View.Worker and View.History answer from it.
func (r Reader) Worker(ctx context.Context, id string, filter projections.Filter, now time.Time) (*projections.View, error) {
	return r.Model.View(ctx, r.Store, []string{id}, filter, filter.Clock(now))
}

// Agencies answers an agency query: from the maintained rollups when filter is zero (judged at now), else from
// a replay under the filter (judged at the filter's clock), as Audit does.
func (r Reader) Agencies(ctx context.Context, q projections.AgencyQuery, filter projections.Filter, now time.Time) (projections.AgencyReport, error) {
	if filter == (projections.Filter{}) {
		return r.Model.Agencies(ctx, q, now)
	}
	return r.Model.AgenciesUnder(ctx, r.Store, q, filter, filter.Clock(now))
}

// View returns a view of what scope names (workers, and job orders with their workers) under filter, judged
// at the filter's clock (now without one), made from their events read back by stream.
func (r Reader) View(ctx context.Context, scope readmodel.Scope, filter projections.Filter, now time.Time) (*projections.View, error) {
	return r.Model.ViewOf(ctx, r.Store, scope, filter, filter.Clock(now))
}
