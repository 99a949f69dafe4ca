package readmodel

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// A rebuild loads the tables before it indexes them: the flags and workers are written to tables with no
// secondary index yet, and at the end the indexes are created, each by sorting every row once. Kept up row
// by row, each index entry is a seek to a random place in a tree that outgrows the page cache with the
// store. The flags and flag_scopes, clustered by their keys, are written in key order (see sortedRows).

// beginLoad creates the tables of a rebuild, without their indexes, in tx.
func beginLoad(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, "DROP VIEW IF EXISTS flags_json;"+tablesSchema+flagJSONView); err != nil {
		return fmt.Errorf("read model: create tables: %w", err)
	}
	return nil
}

// endLoad creates the indexes of the tables a rebuild loaded.
func endLoad(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, indexSchema); err != nil {
		return fmt.Errorf("read model: create indexes: %w", err)
	}
	return nil
}

// batchRows is how many rows a rebuild writes with one statement: a statement's cost is mostly per call
// (binding, stepping, and the crossing from Go to C), not per row.
const batchRows = 64

// rowBatch writes rows to one table during a rebuild, batchRows at a time with one multi-row INSERT. With
// shared leading columns, the rows of a statement share their values, bound once: the rows a statement
// writes end where those values change (the rows before are written one by one).
type rowBatch struct {
	name   string
	cols   int
	shared int       // leading columns the rows of a statement share (0: none)
	many   *sql.Stmt // batchRows rows
	one    *sql.Stmt // a row: those left at the end, or before the shared values change
	args   []any     // the shared values, then the other values of each row held
	rows   int       // the rows held
	row    []any     // a row put together for one
	mem    arena     // the bytes of the rows held, when a sortedSink read them back
}

// errSharedValue marks a value of a batch's shared columns that cannot be compared.
var errSharedValue = errors.New("a shared column's value must be an integer or text")

// newRowBatch prepares, in tx, an INSERT of head ("INSERT INTO t (a, b) VALUES ") for cols columns, the first
// shared of them bound once per statement.
func newRowBatch(ctx context.Context, tx *sql.Tx, name, head string, cols, shared int) (*rowBatch, error) {
	many, err := tx.PrepareContext(ctx, head+batchValues(cols, shared))
	if err != nil {
		return nil, fmt.Errorf("prepare %s: %w", name, err)
	}
	one, err := tx.PrepareContext(ctx, head+placeholders(cols))
	if err != nil {
		return nil, fmt.Errorf("prepare %s: %w", name, err)
	}
	return &rowBatch{name: name, cols: cols, shared: shared, many: many, one: one,
		args: make([]any, 0, shared+(cols-shared)*batchRows)}, nil
}

// batchValues is the VALUES of batchRows rows of cols columns whose first shared are one parameter each,
// ?1 to ?shared, in every row: "(?1,?2,?3),(?1,?4,?5)...".
func batchValues(cols, shared int) string {
	var b strings.Builder
	next := shared + 1
	for r := range batchRows {
		if r > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('(')
		for c := range cols {
			if c > 0 {
				b.WriteByte(',')
			}
			if c < shared {
				fmt.Fprintf(&b, "?%d", c+1)
			} else {
				fmt.Fprintf(&b, "?%d", next)
				next++
			}
		}
		b.WriteByte(')')
	}
	return b.String()
}

// add writes a row, or holds it until the batch is full (or flushed, or the shared values change).
func (b *rowBatch) add(ctx context.Context, row ...any) error {
	if b.shared > 0 {
		same, err := b.sameShared(row)
		if err != nil {
			return err
		}
		if !same {
			if err := b.writeHeld(ctx); err != nil {
				return err
			}
			clear(b.args)
			b.args, b.rows = b.args[:0], 0
			b.mem = arena{} // not reset: row's bytes may be in it
		}
		if b.rows == 0 {
			b.args = append(b.args, row[:b.shared]...)
		}
	}
	b.args = append(b.args, row[b.shared:]...)
	if b.rows++; b.rows < batchRows {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("write %s rows: %w", b.name, err)
	}
	// Without its cancellation, which the driver watches from a goroutine of its own per statement.
	_, err := b.many.ExecContext(context.WithoutCancel(ctx), b.args...)
	b.empty()
	if err != nil {
		return fmt.Errorf("write %s rows: %w", b.name, err)
	}
	return nil
}

// sameShared reports whether row has the shared values of the rows held (true when none is held).
func (b *rowBatch) sameShared(row []any) (bool, error) {
	same := true
	for i, v := range row[:b.shared] {
		switch v.(type) {
		case int64, string:
		default:
			return false, fmt.Errorf("write %s rows: %w: %T", b.name, errSharedValue, v)
		}
		same = same && (b.rows == 0 || b.args[i] == v)
	}
	return same, nil
}

// flush writes the rows held, one by one.
func (b *rowBatch) flush(ctx context.Context) error {
	if err := b.writeHeld(ctx); err != nil {
		return err
	}
	b.empty()
	return nil
}

// writeHeld writes the rows held one by one, and keeps them.
func (b *rowBatch) writeHeld(ctx context.Context) error {
	rest := b.cols - b.shared
	for i := range b.rows {
		b.row = append(append(b.row[:0], b.args[:b.shared]...), b.args[b.shared+i*rest:b.shared+(i+1)*rest]...)
		if _, err := b.one.ExecContext(ctx, b.row...); err != nil {
			return fmt.Errorf("write %s row: %w", b.name, err)
		}
	}
	clear(b.row)
	return nil
}

// empty forgets the rows held, once written.
func (b *rowBatch) empty() {
	clear(b.args)
	b.args, b.rows = b.args[:0], 0
	b.mem.reset()
}

// rowSink writes rows to a table: at once, or held until flushed.
type rowSink interface {
	add(ctx context.Context, row ...any) error
	flush(ctx context.Context) error
}

// stmtRows writes each row at once with a prepared statement.
type stmtRows struct {
	name string
	st   *sql.Stmt
}

func (s stmtRows) add(ctx context.Context, row ...any) error {
	if _, err := s.st.ExecContext(ctx, row...); err != nil {
		return fmt.Errorf("write %s row: %w", s.name, err)
	}
	return nil
}

func (stmtRows) flush(context.Context) error { return nil }

// rowSinks prepares in the writer's transaction the writers of flags, their scopes and workers: for a rebuild
// (a plan with a directory), the flags and scopes held and written in key order and the workers in batches;
// else a statement each, prepared as the writer's others are.
func (w *writer) rowSinks(ctx context.Context, plan sortPlan) (flags, scopes, workers rowSink, err error) {
	tx := w.tx
	if plan.dir != "" {
		if flags, err = flagSink(ctx, tx, plan); err != nil {
			return nil, nil, nil, err
		}
		if scopes, err = scopeSink(ctx, tx, plan); err != nil {
			return nil, nil, nil, err
		}
		if workers, err = newRowBatch(ctx, tx, "worker", workerInsert, workerCols, 0); err != nil {
			return nil, nil, nil, err
		}
		return flags, scopes, workers, nil
	}
	if flags, err = w.prepareRows(ctx, "flag", flagInsert, flagCols); err != nil {
		return nil, nil, nil, err
	}
	if scopes, err = w.prepareRows(ctx, "flag scope", scopeInsert, scopeCols); err != nil {
		return nil, nil, nil, err
	}
	if workers, err = w.prepareRows(ctx, "worker", workerInsert, workerCols); err != nil {
		return nil, nil, nil, err
	}
	return flags, scopes, workers, nil
}

// prepareRows prepares an INSERT of head for one row of cols columns, written at once.
func (w *writer) prepareRows(ctx context.Context, name, head string, cols int) (rowSink, error) {
	st, err := w.prepare(ctx, head+placeholders(cols))
	if err != nil {
		return nil, fmt.Errorf("prepare %s: %w", name, err)
	}
	return stmtRows{name, st}, nil
}

// placeholders is a row of cols parameters: "(?,?,?)" ("()" for none, which SQLite's IN takes as an empty list).
func placeholders(cols int) string {
	return "(" + strings.TrimSuffix(strings.Repeat("?,", cols), ",") + ")"
}
