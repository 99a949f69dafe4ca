package readmodel

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
)

// The rollups and month counts hold the clocked flags (overdue reimbursements, open reports) whose time has
// come at the model's clock (meta 'clock'), which a catch-up moves forward to Options.Now at most once per
// Options.ClockStep, adding the flags whose time came in between. A read at another clock corrects only
// the flags whose time falls between the two (window), however many are still to come.

// clockedFlag is a clocked flag's code and time.
type clockedFlag struct {
	code string
	key  []byte // clockKey of its raised_at
}

func clockedOf(flags []domain.Flag) []clockedFlag {
	var out []clockedFlag
	for _, f := range flags {
		if projections.Clocked(f) {
			out = append(out, clockedFlag{code: f.Code, key: clockKey(f.RaisedAt)})
		}
	}
	return out
}

// before reports whether the flag stands at clock.
func (f clockedFlag) before(clock time.Time) bool { return bytes.Compare(f.key, clockKey(clock)) < 0 }

// firstClocked is the key of the earliest clocked flag (nil for none), as workers.clocked_from holds it.
func firstClocked(cs []clockedFlag) []byte {
	var first []byte
	for _, f := range cs {
		if first == nil || bytes.Compare(f.key, first) < 0 {
			first = f.key
		}
	}
	return first
}

// modelClock reads the model's clock (the zero time for a model without one).
func modelClock(ctx context.Context, q querier) (time.Time, error) {
	var text string
	err := q.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'clock'").Scan(&text)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("read model clock: %w", err)
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("read model clock %q: %w", text, err)
	}
	return time.Unix(0, n).UTC(), nil
}

func writeClock(ctx context.Context, tx *sql.Tx, clock time.Time) error {
	if _, err := tx.ExecContext(ctx, "INSERT OR REPLACE INTO meta (key, value) VALUES ('clock', ?)",
		strconv.FormatInt(clock.UnixNano(), 10)); err != nil {
		return fmt.Errorf("write read model clock: %w", err)
	}
	return nil
}

// crossing is a worker with clocked flags whose time falls in a window: the groups it counts in, whether it
// has flags that are not clocked, its earliest clocked flag, and the window's flags.
type crossing struct {
	c         contribution
	unclocked int64
	first     []byte
	flags     []clockedFlag
	raisedS   []int64
}

// flaggedAt reports whether the worker counts as flagged at clock.
func (x *crossing) flaggedAt(clock time.Time) bool {
	return x.unclocked > 0 || x.first != nil && bytes.Compare(x.first, clockKey(clock)) < 0
}

// windowOf is the window between the model's clock cm and clock, and the sign of the correction it makes.
func windowOf(cm, clock time.Time) (lo, hi time.Time, sign int64) {
	if clock.Before(cm) {
		return clock, cm, -1
	}
	return cm, clock, 1
}

// windowToClock is window from the model's clock (read in tx) to clock, with the model's clock it read.
func windowToClock(ctx context.Context, tx *sql.Tx, scope string, clock time.Time) (time.Time, []*crossing, int64, error) {
	cm, err := modelClock(ctx, tx)
	if err != nil {
		return cm, nil, 0, err
	}
	xs, sign, err := window(ctx, tx, scope, cm, clock)
	return cm, xs, sign, err
}

// window lists the workers (of a flag scope such as "buyer:ID", or of every flag for "") whose clocked flags' time
// falls between the model's clock cm and clock, and the sign of the correction they make: +1 when clock is
// later (their flags stand at clock, not in the maintained counts), -1 when it is earlier.
func window(ctx context.Context, tx *sql.Tx, scope string, cm, clock time.Time) ([]*crossing, int64, error) {
	lo, hi, sign := windowOf(cm, clock)
	if !lo.Before(hi) {
		return nil, sign, nil
	}
	cols := `f.worker_id, f.code, f.k, f.raised_s, w.job_order_id, w.employer_id, w.buyer_ids, w.agencies, w.unclocked, w.clocked_from`
	query, args := `SELECT `+cols+` FROM flags f JOIN workers w ON w.worker_id = f.worker_id
		WHERE f.k >= ? AND f.k < ? AND f.clocked = 1`, []any{clockKey(lo), clockKey(hi)}
	if scope != "" {
		query, args = `SELECT `+cols+` FROM flag_scopes s JOIN flags f ON f.k = s.k JOIN workers w ON w.worker_id = f.worker_id
			WHERE s.scope = `+scopeIDSQL+` AND s.k >= ? AND s.k < ? AND f.clocked = 1`, []any{scope, clockKey(lo), clockKey(hi)}
	}
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("read model: clocked flags between %s and %s: %w", lo, hi, err)
	}
	defer rows.Close()
	at := map[string]*crossing{}
	var out []*crossing
	for rows.Next() {
		var id, code, buyers, agencies string
		var k []byte
		var s int64
		x := &crossing{}
		if err := rows.Scan(&id, &code, &k, &s, &x.c.JobOrder, &x.c.Employer, &buyers, &agencies, &x.unclocked, &x.first); err != nil {
			return nil, 0, fmt.Errorf("read model: clocked flags: %w", err)
		}
		if prev := at[id]; prev != nil {
			x = prev
		} else {
			if err := errors.Join(json.Unmarshal([]byte(buyers), &x.c.Buyers), json.Unmarshal([]byte(agencies), &x.c.Agencies)); err != nil {
				return nil, 0, fmt.Errorf("read model: worker %s: %w", id, err)
			}
			x.c.Worker, x.c.Scopes = true, scopeNames(x.c.Buyers, x.c.Employer, x.c.Agencies)
			at[id] = x
			out = append(out, x)
		}
		x.flags, x.raisedS = append(x.flags, clockedFlag{code: code, key: k[:min(len(k), 12)]}), append(x.raisedS, s)
	}
	return out, sign, rows.Err()
}

// corrections are what the window's workers change in the rows of a grouping within a scope, from the
// model's clock cm to clock: flags by code (in domain.FlagCodes order), and flagged workers.
func corrections(xs []*crossing, sign int64, scope, by string, cm, clock time.Time) map[string]*correction {
	out := map[string]*correction{}
	for _, x := range xs {
		var flagged int64
		switch before, after := x.flaggedAt(cm), x.flaggedAt(clock); {
		case after && !before:
			flagged = 1
		case before && !after:
			flagged = -1
		}
		for _, key := range x.c.groupKeys(by, scope) {
			if out[key] == nil {
				out[key] = &correction{counts: make([]int64, len(domain.FlagCodes))}
			}
			for _, f := range x.flags {
				if i := slices.Index(domain.FlagCodes, f.code); i >= 0 {
					out[key].counts[i] += sign
				}
			}
			out[key].flagged += flagged
		}
	}
	return out
}

// advance moves the writer's clock on to to, adding to the rollups, the month counts and the raised counter
// the clocked flags whose time came in between, and records it as the model's clock.
func (w *writer) advance(ctx context.Context, to time.Time) error {
	xs, _, err := window(ctx, w.tx, "", w.clock, to)
	if err != nil {
		return err
	}
	for _, x := range xs {
		codes := make([]int64, len(domain.FlagCodes))
		for i, f := range x.flags {
			if c := slices.Index(domain.FlagCodes, f.code); c >= 0 {
				codes[c]++
			}
			w.countMonths(x.raisedS[i], f.code, x.c.Scopes, 1)
			w.raised[f.code]++
		}
		var flagged int64
		if x.flaggedAt(to) && !x.flaggedAt(w.clock) {
			flagged = 1
		}
		for _, scope := range x.c.scopes() {
			for _, by := range rollupGroupings {
				for _, key := range x.c.groupKeys(by, scope) {
					r, err := w.row(ctx, rowKey{scope, by, key})
					if err != nil {
						return err
					}
					for i, n := range codes {
						r.Counts[i] += n
					}
					r.Flagged += flagged
				}
			}
		}
	}
	w.clock = to
	return writeClock(ctx, w.tx, to)
}
