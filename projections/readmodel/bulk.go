package readmodel

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// A rebuild loads the tables before it indexes them: the flags and workers are appended to tables with no
// secondary index yet, and at the end the indexes are created and flag_scopes (whose key is its order) filled,
// each by sorting every row once. Kept up row by row, each index entry is a seek to a random place in a tree
// that outgrows the page cache with the store. The scope rows are not written during the load at all: each
// owner's contribution names its scopes, and endLoad joins them with its flags.

// scopesSQL names the scopes, then fills flag_scopes in key order from the flags and the scopes their owners' contributions name
// (a worker's flags, and a job order's own, whose worker_id is empty).
const scopesSQL = `INSERT OR IGNORE INTO scopes (name)
SELECT s.value FROM workers w, json_each(w.contribution, '$.scopes') s
UNION
SELECT s.value FROM job_orders j, json_each(j.contribution, '$.scopes') s
ORDER BY 1;
INSERT OR IGNORE INTO flag_scopes (scope, k)
SELECT sc.id, f.k FROM workers w, json_each(w.contribution, '$.scopes') s JOIN scopes sc ON sc.name = s.value
	JOIN flags f ON f.worker_id = w.worker_id
UNION ALL
SELECT sc.id, f.k FROM job_orders j, json_each(j.contribution, '$.scopes') s JOIN scopes sc ON sc.name = s.value
	JOIN flags f ON f.worker_id = '' AND f.job_order_id = j.job_order_id
ORDER BY 1, 2`

// loadSchema creates flags_load, where a rebuild appends the flags in the order it judges them (by owner): a
// table of the connection's temporary database (a file of its own, gone when the connection closes, so a
// rebuild killed midway leaves nothing), which endLoad copies into flags in key order. Inserted straight into
// flags, clustered by key, each flag would go to a random place in a tree that outgrows the page cache.
const loadSchema = "DROP TABLE IF EXISTS temp.flags_load; CREATE TEMP TABLE flags_load (" + flagColumns + ");"

// loadFlagsSQL copies the loaded flags into flags, sorted once by key, and drops flags_load.
const loadFlagsSQL = `INSERT INTO flags SELECT * FROM temp.flags_load ORDER BY k; DROP TABLE temp.flags_load;`

// beginLoad creates the tables of a rebuild, without their indexes, in tx.
func beginLoad(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, "DROP VIEW IF EXISTS flags_json;"+tablesSchema+flagJSONView+loadSchema); err != nil {
		return fmt.Errorf("read model: create tables: %w", err)
	}
	return nil
}

// endLoad moves the loaded flags into flags, creates the indexes and fills flag_scopes.
func endLoad(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, loadFlagsSQL); err != nil {
		return fmt.Errorf("read model: sort the flags by key: %w", err)
	}
	if _, err := tx.ExecContext(ctx, indexSchema); err != nil {
		return fmt.Errorf("read model: create indexes: %w", err)
	}
	if _, err := tx.ExecContext(ctx, scopesSQL); err != nil {
		return fmt.Errorf("read model: fill the flag scopes: %w", err)
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

// rowSinks prepares in tx the writers of flags, their scopes and workers: for a rebuild (fresh), batches (the
// flags into flags_load), and no writer of scopes (endLoad derives them); else a statement each.
func rowSinks(ctx context.Context, tx *sql.Tx, fresh bool) (flags, scopes, workers rowSink, err error) {
	if fresh {
		if flags, err = newRowBatch(ctx, tx, "flag", flagLoadInsert, flagCols); err != nil {
			return nil, nil, nil, err
		}
		if workers, err = newRowBatch(ctx, tx, "worker", workerInsert, workerCols); err != nil {
			return nil, nil, nil, err
		}
		return flags, nil, workers, nil
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
