package readmodel

import (
	"context"
	"database/sql"
	"errors"
	"sync"
)

// maxCachedStatements bounds stmtCache: a listing's text depends only on which filters it has (its values are
// arguments), so a server meets a few dozen.
const maxCachedStatements = 128

// stmtCache holds the statements of the flag listings (and of the other reads every request makes) prepared, by their text: a page of one worker's flags
// reads a handful of rows, and preparing its statement again on each request cost about as much as reading
// them. Safe for concurrent use; a database/sql statement prepares itself again on each connection it runs on.
type stmtCache struct {
	mu    sync.Mutex
	stmts map[string]*sql.Stmt
	// wanted are the texts a writer prepared in its transaction, for keepWanted (see writer.prepare).
	wanted map[string]bool
}

// query runs text with args on db, through its prepared statement (prepared now if new, and kept while the
// cache has room).
func (c *stmtCache) query(ctx context.Context, db *sql.DB, text string, args ...any) (*sql.Rows, error) {
	st, err := c.prepared(ctx, db, text)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return db.QueryContext(ctx, text, args...)
	}
	return st.QueryContext(ctx, args...)
}

// prepared returns text's prepared statement, prepared now if new; nil when the cache is full.
func (c *stmtCache) prepared(ctx context.Context, db *sql.DB, text string) (*sql.Stmt, error) {
	c.mu.Lock()
	st, full := c.stmts[text], len(c.stmts) >= maxCachedStatements
	c.mu.Unlock()
	if st != nil || full {
		return st, nil
	}
	prepared, err := db.PrepareContext(ctx, text)
	if err != nil {
		return nil, err
	}
	if st = c.keep(text, prepared); st != prepared {
		prepared.Close() // another request prepared it meanwhile
	}
	return st, nil
}

// preparedQuerier is a querier that runs each query through the cache's prepared statement of its text: what
// a server asks on every request (the model's state) is not prepared again each time.
type preparedQuerier struct {
	c  *stmtCache
	db *sql.DB
}

// QueryRowContext implements querier.
func (p preparedQuerier) QueryRowContext(ctx context.Context, text string, args ...any) *sql.Row {
	st, err := p.c.prepared(ctx, p.db, text)
	if err != nil || st == nil {
		return p.db.QueryRowContext(ctx, text, args...) // fails again with the preparation's error, or runs unprepared
	}
	return st.QueryRowContext(ctx, args...)
}

// QueryContext implements queryer.
func (p preparedQuerier) QueryContext(ctx context.Context, text string, args ...any) (*sql.Rows, error) {
	return p.c.query(ctx, p.db, text, args...)
}

// keep adds st as text's statement unless the cache holds one already (returned) or is full (st is returned,
// kept all the same: at most a few over the bound, one per concurrent request).
func (c *stmtCache) keep(text string, st *sql.Stmt) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	if prev := c.stmts[text]; prev != nil {
		return prev
	}
	if c.stmts == nil {
		c.stmts = map[string]*sql.Stmt{}
	}
	c.stmts[text] = st
	return st
}

// get returns the statement of text the cache holds, or nil (for a nil cache too).
func (c *stmtCache) get(text string) *sql.Stmt {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stmts[text]
}

// want names a text for keepWanted to prepare (nothing for a nil cache).
func (c *stmtCache) want(text string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.wanted == nil {
		c.wanted = map[string]bool{}
	}
	c.wanted[text] = true
}

// keepWanted prepares on db the texts named by want, while the cache has room. A catch-up calls it once its
// transaction has ended, so that db prepares them on the writer's connection, idle, which the next catch-up's
// transaction runs on: preparing them during the transaction would open another connection for each.
func (c *stmtCache) keepWanted(ctx context.Context, db *sql.DB) error {
	c.mu.Lock()
	wanted := c.wanted
	c.wanted = nil
	c.mu.Unlock()
	for text := range wanted {
		if _, err := c.prepared(ctx, db, text); err != nil {
			return err
		}
	}
	return nil
}

// close closes the statements held.
func (c *stmtCache) close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var errs []error
	for _, st := range c.stmts {
		errs = append(errs, st.Close())
	}
	c.stmts = nil
	return errors.Join(errs...)
}

// prepare returns the transaction's statement of text, prepared on its first use by this writer: a catch-up
// runs the same few texts for every flag and rollup row it changes, and SQLite's preparation of each cost
// about as much as running it. A catch-up's writer (kept not nil) runs the statement its pool keeps prepared
// on the writer's connection, which database/sql prepares on it once; a text the pool does not keep yet is
// prepared in the transaction, and named for keepWanted to prepare once the transaction has ended.
func (w *writer) prepare(ctx context.Context, text string) (*sql.Stmt, error) {
	if st := w.prepared[text]; st != nil {
		return st, nil
	}
	var st *sql.Stmt
	var err error
	if kept := w.kept.get(text); kept != nil {
		st = w.tx.StmtContext(ctx, kept)
	} else {
		st, err = w.tx.PrepareContext(ctx, text)
		w.kept.want(text)
	}
	if err != nil {
		return nil, err
	}
	w.prepared[text] = st // closed with the transaction
	return st, nil
}

// exec runs text in the transaction through its prepared statement.
func (w *writer) exec(ctx context.Context, text string, args ...any) (sql.Result, error) {
	st, err := w.prepare(ctx, text)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// queryRow runs a query of one row in the transaction through its prepared statement.
func (w *writer) queryRow(ctx context.Context, text string, args ...any) *sql.Row {
	st, err := w.prepare(ctx, text)
	if err != nil {
		return w.tx.QueryRowContext(ctx, text, args...) // fails again with the preparation's error
	}
	return st.QueryRowContext(ctx, args...)
}

// query runs a query in the transaction through its prepared statement.
func (w *writer) query(ctx context.Context, text string, args ...any) (*sql.Rows, error) {
	st, err := w.prepare(ctx, text)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}
