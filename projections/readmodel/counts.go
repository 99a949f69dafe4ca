package readmodel

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
)

// FlagCount is how many flags with a code were raised in a month (YYYY-MM, UTC).
type FlagCount struct {
	Month string
	Code  string
	Flags int
}

// FlagMonths counts the flags a listing selects at clock by month and code, ordered by month then code. A
// listing of every flag or of one scope (the query's or the access's), with at most a code prefix, is
// answered from the maintained counts (flag_months), less the clocked flags (overdue reimbursements, open
// reports) the clock has not reached and, for an agency's access, the job orders' flags it only paid on; any other listing
// is counted by reading the index rows it seeks.
func (m *Model) FlagMonths(ctx context.Context, q projections.FlagQuery, clock time.Time, access Access) ([]FlagCount, error) {
	tx, err := m.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("read model: count flags: %w", err)
	}
	defer tx.Rollback()
	counts := map[[2]string]int{}
	if scope, ok := maintainedScope(q, access); ok {
		err = maintained(ctx, tx, scope, q.Code, clock, access.Engaged, counts)
	} else {
		err = counted(ctx, tx, q, clock, access, counts)
	}
	if err != nil {
		return nil, fmt.Errorf("read model: count flags: %w", err)
	}
	return sortedCounts(counts), nil
}

// CountFlags counts the flags a listing selects at clock, as FlagMonths does.
func (m *Model) CountFlags(ctx context.Context, q projections.FlagQuery, clock time.Time, access Access) (int, error) {
	counts, err := m.FlagMonths(ctx, q, clock, access)
	n := 0
	for _, c := range counts {
		n += c.Flags
	}
	return n, err
}

// maintainedScope is the one scope ("" for every flag) whose maintained counts answer the listing, and false
// when none does (a worker's or job order's listing, or one of several scopes).
func maintainedScope(q projections.FlagQuery, access Access) (string, bool) {
	if q.WorkerID != "" || q.JobOrderID != "" || len(access.Scopes) > 1 {
		return "", false
	}
	scopes := scopeNames(nonEmpty(q.BuyerID), q.EmployerID, nonEmpty(q.AgencyID))
	for _, sc := range access.Scopes {
		if !slices.Contains(scopes, sc) {
			scopes = append(scopes, sc)
		}
	}
	switch len(scopes) {
	case 0:
		return "", access.Engaged == ""
	case 1:
		return scopes[0], access.Engaged == "" || scopes[0] == "agency:"+access.Engaged
	}
	return "", false
}

// maintained adds to counts the scope's maintained counts of the codes with the prefix (kept at the model's
// clock), corrected by the clocked flags whose time falls between the model's clock and clock, less the job
// orders' flags an engaged agency does not read.
func maintained(ctx context.Context, tx *sql.Tx, scope, prefix string, clock time.Time, engaged string, counts map[[2]string]int) error {
	rows, err := tx.QueryContext(ctx, "SELECT month, code, flags FROM flag_months WHERE scope = ?", scope)
	if err != nil {
		return err
	}
	for rows.Next() {
		var k [2]string
		var n int
		if err := rows.Scan(&k[0], &k[1], &n); err != nil {
			rows.Close()
			return err
		}
		if strings.HasPrefix(k[1], prefix) {
			counts[k] += n
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	cm, err := modelClock(ctx, tx)
	if err != nil {
		return err
	}
	lo, hi, sign := windowOf(cm, clock)
	from, args := "flags f WHERE f.k >= ? AND f.k < ?", []any{clockKey(lo), clockKey(hi)}
	if scope != "" {
		from, args = "flag_scopes s JOIN flags f ON f.k = s.k WHERE s.scope = "+scopeIDSQL+" AND s.k >= ? AND s.k < ?", []any{scope, clockKey(lo), clockKey(hi)}
	}
	if err := add(ctx, tx, prefix, counts, sign, "SELECT f.code, f.raised_s FROM "+from+" AND f.clocked = 1", args...); err != nil {
		return err
	}
	if engaged == "" {
		return nil
	}
	return add(ctx, tx, prefix, counts, -1, `SELECT f.code, f.raised_s FROM flags f WHERE f.worker_id = ''
		AND EXISTS (SELECT 1 FROM flag_scopes x WHERE x.scope = `+scopeIDSQL+` AND x.k = f.k) AND NOT `+engagedSQL, scope, engaged)
}

// add adds sign to counts for each flag (code, raised_s) a query returns, of the codes with the prefix.
func add(ctx context.Context, tx *sql.Tx, prefix string, counts map[[2]string]int, sign int64, query string, args ...any) error {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var code string
		var s int64
		if err := rows.Scan(&code, &s); err != nil {
			return err
		}
		if strings.HasPrefix(code, prefix) {
			counts[[2]string{monthOf(s), code}] += int(sign)
		}
	}
	return rows.Err()
}

// counted adds to counts the flags of a listing no maintained count answers, read from the index rows it
// seeks (once each, when its access has several scopes).
func counted(ctx context.Context, tx *sql.Tx, q projections.FlagQuery, clock time.Time, access Access, counts map[[2]string]int) error {
	scopes := access.Scopes
	if len(scopes) == 0 {
		scopes = []string{""}
	}
	var parts []string
	var args []any
	for _, sc := range scopes {
		text, a := flagSQL(q, clock, FlagSeek{Access: access}, sc, "f.k, f.code, f.raised_s")
		parts, args = append(parts, "SELECT * FROM ("+text+")"), append(args, a...)
	}
	return add(ctx, tx, "", counts, 1, "SELECT code, raised_s FROM ("+strings.Join(parts, " UNION ")+")", args...)
}

// clockKey is the least flag key of a flag raised at clock or later.
func clockKey(clock time.Time) []byte {
	c := clock.UTC()
	k := binary.BigEndian.AppendUint64(nil, uint64(c.Unix())^(1<<63))
	return binary.BigEndian.AppendUint32(k, uint32(c.Nanosecond()))
}

// CountByMonth counts flags by month and code as FlagMonths does, for a listing judged whole.
func CountByMonth(flags []domain.Flag) []FlagCount {
	c := MonthCounter{}
	for _, f := range flags {
		c.Add(f)
	}
	return c.Counts()
}

// MonthCounter counts flags by month and code as FlagMonths does, for a listing read as it goes.
type MonthCounter map[[2]string]int

// Add counts a flag (its RaisedAt and Code are all it reads).
func (c MonthCounter) Add(f domain.Flag) { c[[2]string{monthOf(f.RaisedAt.Unix()), f.Code}]++ }

// Counts are the counts so far, by month, then code.
func (c MonthCounter) Counts() []FlagCount { return sortedCounts(c) }

// sortedCounts lists counts above zero by month, then code.
func sortedCounts(counts map[[2]string]int) []FlagCount {
	out := make([]FlagCount, 0, len(counts))
	for k, n := range counts {
		if n > 0 {
			out = append(out, FlagCount{Month: k[0], Code: k[1], Flags: n})
		}
	}
	slices.SortFunc(out, func(a, b FlagCount) int { return cmp.Or(cmp.Compare(a.Month, b.Month), cmp.Compare(a.Code, b.Code)) })
	return out
}
