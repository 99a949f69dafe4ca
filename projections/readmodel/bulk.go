package readmodel

import (
	"context"
	"database/sql"
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

// rowBatch writes rows to one table during a rebuild, batchRows at a time with one multi-row INSERT.
type rowBatch struct {
	name string
	cols int
	many *sql.Stmt // batchRows rows
	one  *sql.Stmt // the rows left at the end
	args []any
}

// newRowBatch prepares, in tx, an INSERT of head ("INSERT INTO t (a, b) VALUES ") for cols columns.
func newRowBatch(ctx context.Context, tx *sql.Tx, name, head string, cols int) (*rowBatch, error) {
	row := placeholders(cols)
	many, err := tx.PrepareContext(ctx, head+row+strings.Repeat(","+row, batchRows-1))
	if err != nil {
		return nil, fmt.Errorf("prepare %s: %w", name, err)
	}
	one, err := tx.PrepareContext(ctx, head+row)
	if err != nil {
		return nil, fmt.Errorf("prepare %s: %w", name, err)
	}
	return &rowBatch{name: name, cols: cols, many: many, one: one, args: make([]any, 0, cols*batchRows)}, nil
}

// add writes a row, or holds it until the batch is full (or flushed).
func (b *rowBatch) add(ctx context.Context, row ...any) error {
	b.args = append(b.args, row...)
	if len(b.args) < b.cols*batchRows {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("write %s rows: %w", b.name, err)
	}
	// Without its cancellation, which the driver watches from a goroutine of its own per statement.
	_, err := b.many.ExecContext(context.WithoutCancel(ctx), b.args...)
	clear(b.args)
	b.args = b.args[:0]
	if err != nil {
		return fmt.Errorf("write %s rows: %w", b.name, err)
	}
	return nil
}

// flush writes the rows held, one by one.
func (b *rowBatch) flush(ctx context.Context) error {
	for i := 0; i < len(b.args); i += b.cols {
		if _, err := b.one.ExecContext(ctx, b.args[i:i+b.cols]...); err != nil {
			return fmt.Errorf("write %s row: %w", b.name, err)
		}
	}
	clear(b.args)
	b.args = b.args[:0]
	return nil
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

// rowSinks prepares in tx the writers of flags, their scopes and workers: for a rebuild (a plan with a
// directory), the flags and scopes held and written in key order and the workers in batches; else a
// statement each.
func rowSinks(ctx context.Context, tx *sql.Tx, plan sortPlan) (flags, scopes, workers rowSink, err error) {
	if plan.dir != "" {
		if flags, err = flagSink(ctx, tx, plan); err != nil {
			return nil, nil, nil, err
		}
		if scopes, err = scopeSink(ctx, tx, plan); err != nil {
			return nil, nil, nil, err
		}
		if workers, err = newRowBatch(ctx, tx, "worker", workerInsert, workerCols); err != nil {
			return nil, nil, nil, err
		}
		return flags, scopes, workers, nil
	}
	if flags, err = prepareRows(ctx, tx, "flag", flagInsert, flagCols); err != nil {
		return nil, nil, nil, err
	}
	if scopes, err = prepareRows(ctx, tx, "flag scope", scopeInsert, scopeCols); err != nil {
		return nil, nil, nil, err
	}
	if workers, err = prepareRows(ctx, tx, "worker", workerInsert, workerCols); err != nil {
		return nil, nil, nil, err
	}
	return flags, scopes, workers, nil
}

// prepareRows prepares, in tx, an INSERT of head for one row of cols columns, written at once.
func prepareRows(ctx context.Context, tx *sql.Tx, name, head string, cols int) (rowSink, error) {
	st, err := tx.PrepareContext(ctx, head+placeholders(cols))
	if err != nil {
		return nil, fmt.Errorf("prepare %s: %w", name, err)
	}
	return stmtRows{name, st}, nil
}

// placeholders is a row of cols parameters: "(?,?,?)" ("()" for none, which SQLite's IN takes as an empty list).
func placeholders(cols int) string {
	return "(" + strings.TrimSuffix(strings.Repeat("?,", cols), ",") + ")"
}
