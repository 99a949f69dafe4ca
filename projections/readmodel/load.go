package readmodel

import (
	"context"
	"database/sql"
	"fmt"
	"iter"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/projections"
)

func sortedSet(set map[string]bool) iter.Seq[string] {
	return slices.Values(slices.Sorted(maps.Keys(set)))
}

// loadWorker applies a worker's events, read back from its stream, up to position until (Start: all), and
// notes the job orders it was recruited to in needed.
func loadWorker(ctx context.Context, store eventstore.Store, pm *projections.Model, worker string,
	until eventstore.Position, needed map[string]bool) error {
	recs, err := readWorker(ctx, store, worker, until, nil)
	if err != nil {
		return err
	}
	return applyWorkerEvents(pm, recs, needed)
}

// applyWorkerEvents applies workers' events, in the order given, and notes the job orders they recruit to in
// needed.
func applyWorkerEvents(pm *projections.Model, recs []eventstore.Recorded, needed map[string]bool) error {
	for _, rec := range recs {
		f, err := projections.Decode(rec)
		if err != nil {
			return err
		}
		if r, ok := f.Event.(*domain.WorkerRecruited); ok {
			needed[r.JobOrderID] = true
		}
		pm.ApplyFact(f)
	}
	return nil
}

type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

const contextColumns = "commit_pos, prepare_pos, stream, revision, event_id, type, occurred_at, recorded_at, recorded_by, data"

func applyContext(ctx context.Context, q queryer, pm *projections.Model, where string, args ...any) error {
	rows, err := q.QueryContext(ctx, "SELECT "+contextColumns+" FROM context_events WHERE "+where+
		" ORDER BY commit_pos, prepare_pos", args...)
	if err != nil {
		return fmt.Errorf("read model: context events: %w", err)
	}
	defer rows.Close()
	return eachContextFact(rows, "context events", pm.ApplyFact)
}

// eachContextFact calls fn with each row of context_events read (contextColumns), decoded, in the rows' order;
// what names the rows in the error of their read.
func eachContextFact(rows *sql.Rows, what string, fn func(projections.Fact)) error {
	for rows.Next() {
		rec, err := scanContext(rows)
		if err != nil {
			return err
		}
		f, err := projections.Decode(rec)
		if err != nil {
			return err
		}
		fn(f)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read model: %s: %w", what, err)
	}
	return nil
}

func scanContext(rows *sql.Rows) (eventstore.Recorded, error) {
	var rec eventstore.Recorded
	var id, occurred, recorded, data string
	if err := rows.Scan(&rec.Position.Commit, &rec.Position.Prepare, &rec.Stream, &rec.Revision, &id, &rec.Type,
		&occurred, &recorded, &rec.RecordedBy, &data); err != nil {
		return rec, fmt.Errorf("read model: context event: %w", err)
	}
	var err error
	if rec.ID, err = domain.ParseEventID(id); err != nil {
		return rec, fmt.Errorf("read model: context event id %q: %w", id, err)
	}
	if rec.OccurredAt, err = time.Parse(time.RFC3339Nano, occurred); err != nil {
		return rec, fmt.Errorf("read model: context event %s occurred_at: %w", id, err)
	}
	if rec.RecordedAt, err = time.Parse(time.RFC3339Nano, recorded); err != nil {
		return rec, fmt.Errorf("read model: context event %s recorded_at: %w", id, err)
	}
	rec.Data = []byte(data)
	return rec, nil
}

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// insertContext stores an event that is not a worker's, and returns its job order ("" for a policy's, an
// organisation's or a rates table's, which change the context's signature: see noteContext).
func insertContext(ctx context.Context, tx execer, rec eventstore.Recorded) (string, error) {
	jo := ""
	if f, err := projections.Decode(rec); err != nil {
		return "", err
	} else if je, ok := f.Event.(domain.JobOrderEvent); ok {
		jo = je.JobOrder()
	}
	_, err := tx.ExecContext(ctx, "INSERT OR REPLACE INTO context_events ("+contextColumns+
		", job_order_id) VALUES (?,?,?,?,?,?,?,?,?,?,?)", rec.Position.Commit, rec.Position.Prepare, rec.Stream,
		rec.Revision, rec.ID.String(), rec.Type, rec.OccurredAt.Format(time.RFC3339Nano),
		rec.RecordedAt.Format(time.RFC3339Nano), rec.RecordedBy, string(rec.Data), jo)
	if err != nil {
		return "", fmt.Errorf("read model: store event %s: %w", rec.ID, err)
	}
	return jo, nil
}

// insertOrgOf writes the orgs row of a stored event that registers an organisation; any other event writes
// nothing.
func insertOrgOf(ctx context.Context, tx execer, rec eventstore.Recorded) error {
	if rec.Type != domain.TypeOrganisationRegistered {
		return nil
	}
	f, err := projections.Decode(rec)
	if err != nil {
		return err
	}
	return insertOrg(ctx, tx, f.Event.(*domain.OrganisationRegistered))
}

// insertOrg writes an organisation's row in orgs: its name and role as its last registration gives them.
func insertOrg(ctx context.Context, tx execer, o *domain.OrganisationRegistered) error {
	if _, err := tx.ExecContext(ctx, "INSERT OR REPLACE INTO orgs (org_id, name, role, sort_name) VALUES (?,?,?,?)",
		o.OrgID, o.Name, o.Role, strings.ToLower(o.Name)); err != nil {
		return fmt.Errorf("read model: store organisation %s: %w", o.OrgID, err)
	}
	return nil
}
