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

// stmtCache holds the statements of the flag listings prepared, by their text: a page of one worker's flags
// reads a handful of rows, and preparing its statement again on each request cost about as much as reading
// them. Safe for concurrent use; a database/sql statement prepares itself again on each connection it runs on.
type stmtCache struct {
	mu    sync.Mutex
	stmts map[string]*sql.Stmt
}

// query runs text with args on db, through its prepared statement (prepared now if new, and kept while the
// cache has room).
func (c *stmtCache) query(ctx context.Context, db *sql.DB, text string, args ...any) (*sql.Rows, error) {
	c.mu.Lock()
	st, full := c.stmts[text], len(c.stmts) >= maxCachedStatements
	c.mu.Unlock()
	if st == nil && full {
		return db.QueryContext(ctx, text, args...)
	}
	if st == nil {
		prepared, err := db.PrepareContext(ctx, text)
		if err != nil {
			return nil, err
		}
		if st = c.keep(text, prepared); st != prepared {
			prepared.Close() // another request prepared it meanwhile
		}
	}
	return st.QueryContext(ctx, args...)
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
