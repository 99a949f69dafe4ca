package readmodel

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fairtrail/fairtrail/projections"
)

// A page of a listing is read as one text: its rows of flagReadCols, each after its length in bytes and a
// comma, joined by group_concat. A row read alone crosses from Go into C four times (the step, the column's
// type, length and bytes) and through database/sql's locks, checks and copy: for a page of 1,000 flags that was
// about as much as the joining of its columns in SQLite. A listing without a limit (every flag, millions of
// rows) is still read row by row, in bounded memory.

// flagSource yields a listing's flags in its order (the seek's).
type flagSource interface {
	// next returns the next flag; ok is false once there is none.
	next() (f IndexedFlag, ok bool, err error)
	close()
}

// cursorSource reads a listing row by row.
type cursorSource struct {
	rows  *sql.Rows
	rules *flagRules
}

func (c *cursorSource) next() (IndexedFlag, bool, error) {
	if !c.rows.Next() {
		return IndexedFlag{}, false, c.rows.Err()
	}
	f, err := scanFlag(c.rows, c.rules)
	return f, err == nil, err
}

func (c *cursorSource) close() { c.rows.Close() }

// maxBatchedRows bounds the rows read as one text: a page of the API has at most 1,000 flags (about 600 KB).
const maxBatchedRows = 10_000

// batchedCols are flagReadCols named for batchedSQL.
const batchedCols = flagReadCols + " AS j"

// batchedSQL reads the rows of text, a listing of batchedCols, as one text: each row's length in bytes, a
// comma, the row. (octet_length counts every byte of a text, a key's NUL bytes among them; length stops at
// the first NUL.)
func batchedSQL(text string) string {
	return "SELECT group_concat(octet_length(j) || ',' || j, '') FROM (" + text + ")"
}

// batchSource yields the flags of a page read whole.
type batchSource struct {
	flags []IndexedFlag
	at    int
}

func (b *batchSource) next() (IndexedFlag, bool, error) {
	if b.at == len(b.flags) {
		return IndexedFlag{}, false, nil
	}
	b.at++
	return b.flags[b.at-1], true, nil
}

func (b *batchSource) close() {
	clear(b.flags)
	batchFlags.Put(&b.flags)
}

// batchFlags are the slices of the pages read (a page of 1,000 flags is about 180 KB of them).
var batchFlags = sync.Pool{New: func() any { return new([]IndexedFlag) }}

// errBatch reports a page's text that is not rows after their lengths.
var errBatch = errors.New("flag page not of the batched shape")

// readBatch reads the page of the batched query text (batchedSQL) and parses its flags. group_concat joins the
// rows in the order its subquery yields them, which SQLite does not promise: a page found out of order
// (descending with reverse) is sorted.
func (m *Model) readBatch(ctx context.Context, text string, args []any, rules *flagRules, reverse bool) (*batchSource, error) {
	return readBatch(ctx, preparedQuerier{&m.stmts, m.db}, text, args, rules, reverse)
}

// readBatch reads the page of the batched query text through q (see Model.readBatch).
func readBatch(ctx context.Context, q querier, text string, args []any, rules *flagRules, reverse bool) (*batchSource, error) {
	var page sql.NullString // NULL for no row
	if err := q.QueryRowContext(ctx, text, args...).Scan(&page); err != nil {
		return nil, err
	}
	b := &batchSource{flags: (*batchFlags.Get().(*[]IndexedFlag))[:0]}
	for rest := page.String; rest != ""; {
		comma := strings.IndexByte(rest, ',')
		n, err := strconv.Atoi(rest[:max(comma, 0)])
		if comma < 0 || err != nil || n < 0 || n > len(rest)-comma-1 {
			b.close()
			return nil, fmt.Errorf("%w: %q", errBatch, rest[:min(len(rest), 64)])
		}
		f, err := parseIndexedFlag(rest[comma+1:comma+1+n], rules)
		if err != nil {
			b.close()
			return nil, err
		}
		b.flags, rest = append(b.flags, f), rest[comma+1+n:]
	}
	cmp := func(x, y IndexedFlag) int { return bytes.Compare(x.Key, y.Key) }
	if reverse {
		cmp = func(x, y IndexedFlag) int { return bytes.Compare(y.Key, x.Key) }
	}
	if !slices.IsSortedFunc(b.flags, cmp) {
		slices.SortStableFunc(b.flags, cmp)
	}
	return b, nil
}

// chunkRows is how many rows a listing without a limit reads as one text at a time (about 1 MB of text).
const chunkRows = 2_000

// chunkSource reads a listing without a limit (every flag: millions of rows) as pages of chunkRows rows, each
// read whole (batchedSQL) and seeking past the last flag of the page before, all in one read transaction, so
// that the listing is one state of the model, as a cursor's rows were. Row by row, each row crossed into C four
// times and through database/sql's locks and copy; a page crosses once.
type chunkSource struct {
	ctx    context.Context
	tx     *sql.Tx
	q      projections.FlagQuery
	clock  time.Time
	seek   FlagSeek // its Limit: the rows of a page
	access string
	rules  *flagRules
	page   *batchSource
	last   bool // the page held is the listing's last
}

// chunked opens a chunkSource of the listing (q, clock, seek without a limit) through access, read size rows a
// page.
func (m *Model) chunked(ctx context.Context, q projections.FlagQuery, clock time.Time, seek FlagSeek, access string,
	rules *flagRules, size int) (*chunkSource, error) {
	tx, err := m.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	seek.Limit = size
	c := &chunkSource{ctx: ctx, tx: tx, q: q, clock: clock, seek: seek, access: access, rules: rules}
	if err := c.read(); err != nil {
		c.close()
		return nil, err
	}
	return c, nil
}

// read reads the next page, seeking past the last flag of the page before (if any).
func (c *chunkSource) read() error {
	if c.page != nil {
		at := c.page.flags[len(c.page.flags)-1].Key
		if c.seek.Before != nil {
			c.seek.Before = at
		} else {
			c.seek.After = at
		}
		c.page.close()
		c.page = nil
	}
	text, args := flagSQL(c.q, c.clock, c.seek, c.access, batchedCols)
	page, err := readBatch(c.ctx, c.tx, batchedSQL(text), args, c.rules, c.seek.Before != nil)
	if err != nil {
		return err
	}
	c.page, c.last = page, len(page.flags) < c.seek.Limit
	return nil
}

func (c *chunkSource) next() (IndexedFlag, bool, error) {
	for c.page.at == len(c.page.flags) {
		if c.last {
			return IndexedFlag{}, false, nil
		}
		if err := c.read(); err != nil {
			return IndexedFlag{}, false, err
		}
	}
	return c.page.next()
}

func (c *chunkSource) close() {
	if c.page != nil {
		c.page.close()
		c.page = nil
	}
	c.tx.Rollback()
}
