package api

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"time"

	"github.com/fairtrail/fairtrail/api/keys"
	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
	fquery "github.com/fairtrail/fairtrail/projections/query"
	"github.com/fairtrail/fairtrail/projections/readmodel"
)

// consoleFlagsKind is the kind of the console's flag page cursors.
const consoleFlagsKind = "console.flags"

// cursorField names the console's cursor in its errors.
const cursorField = "cursor"

// flagCursor is what a console flag page cursor carries: the index key to seek from (none when the listing
// is not read from the index) and which way, and the place of the page's first flag in the listing.
type flagCursor struct {
	Key  []byte `json:"k,omitempty"`
	Back bool   `json:"b,omitempty"`
	At   int    `json:"at"`
}

// FlagPage is a page of the console's flag listing.
type FlagPage struct {
	Flags []domain.Flag
	// Total counts the flags of the whole listing.
	Total int
	// First is the place of the page's first flag in the listing, from 1.
	First int
	// Next and Prev are the cursors of the pages after and before this one ("" for none), signed as the
	// API's page tokens are: they continue only the query they came from, at the clock it was judged at.
	Next, Prev string

	hasPrev, hasNext bool
}

// flagRead is a flag listing as the caller may read it: the query narrowed to the caller's scope, and
// whether the persisted flag index answers it (without a time filter).
type flagRead struct {
	q      projections.FlagQuery // as asked, for a replay under the filter
	sq     projections.FlagQuery // narrowed to the caller's scope, for the index
	acc    readmodel.Access
	filter projections.Filter
	empty  bool
	seek   bool
}

// startFlags checks a flag listing's query and the parties it names against the caller's scope, and
// catches the persisted model up when it answers.
func (r *Reader) startFlags(ctx context.Context, who keys.Identity, q url.Values, clock time.Time) (flagRead, error) {
	var fr flagRead
	var err error
	if fr.q, fr.filter, err = flagQuery(q); err != nil {
		return fr, err
	}
	var ok bool
	fr.sq, fr.acc, fr.empty, ok = scoped(who, fr.q)
	if !ok {
		return fr, fail(errNotFound, "no flags for the %s role", who.Role)
	}
	fr.seek = fr.filter == (projections.Filter{})
	return fr, r.s.checkNamed(ctx, who, fr.q, fr.filter, clock)
}

// EachFlag calls fn with each flag of GET /v1/flags for the query, in the API's order, as it reads them: from
// the persisted flag index within the caller's scope without a time filter, else replayed shard by shard
// under the filter and merged, checked flag by flag. fn's error stops the listing and is returned.
func (r *Reader) EachFlag(ctx context.Context, who keys.Identity, q url.Values, fn func(domain.Flag) error) error {
	clock := r.s.now()
	fr, err := r.startFlags(ctx, who, q, clock)
	if err != nil {
		return err
	}
	return r.s.eachFlag(ctx, who, fr, clock, fn)
}

// Flags returns every flag of GET /v1/flags for the query, in the API's order (EachFlag, collected).
func (r *Reader) Flags(ctx context.Context, who keys.Identity, q url.Values) ([]domain.Flag, error) {
	var out []domain.Flag
	err := r.EachFlag(ctx, who, q, func(f domain.Flag) error {
		out = append(out, f)
		return nil
	})
	return out, err
}

// FlagPage returns the page of size flags of GET /v1/flags for the query that cursor points at (the first
// page for ""). Without a time filter the page is found by seeking in the persisted flag index within the
// caller's scope, and the total is read from the maintained counts, so a page costs the same wherever it is;
// as of a time, the listing is replayed, merged and counted as it is read, and the page kept (cutPage).
func (r *Reader) FlagPage(ctx context.Context, who keys.Identity, q url.Values, cursor string, size int) (FlagPage, error) {
	clock, cur := r.s.now(), flagCursor{}
	if cursor != "" {
		t, err := r.s.pages.decode(cursor, consoleFlagsKind, fingerprint(q))
		if err != nil || json.Unmarshal(t.After, &cur) != nil || cur.At < 0 {
			return FlagPage{}, invalidField(cursorField, "not a page of this listing (pages continue the query they came from)")
		}
		clock = time.Unix(0, t.Clock).UTC()
	}
	fr, err := r.startFlags(ctx, who, q, clock)
	if err != nil {
		return FlagPage{}, err
	}
	var p FlagPage
	var keys [][]byte
	switch {
	case fr.empty:
		p.First = 1
	case fr.seek:
		p, keys, err = r.seekPage(ctx, fr, clock, cur, size)
	default:
		p, err = r.cutPage(ctx, who, fr, clock, cur, size)
	}
	if err != nil {
		return FlagPage{}, err
	}
	r.pageCursors(&p, q, clock, keys, size)
	return p, nil
}

// seekPage reads a page from the flag index: size+1 flags from the cursor's key, the one more saying
// whether there is a page beyond. It returns the index keys of the page's flags.
func (r *Reader) seekPage(ctx context.Context, fr flagRead, clock time.Time, cur flagCursor, size int) (FlagPage, [][]byte, error) {
	m := r.s.cfg.Model
	total, err := m.CountFlags(ctx, fr.sq, clock, fr.acc)
	if err != nil {
		return FlagPage{}, nil, err
	}
	seek := readmodel.FlagSeek{Limit: size + 1, Access: fr.acc}
	if cur.Back {
		seek.Before = cur.Key
	} else {
		seek.After = cur.Key
	}
	var flags []domain.Flag
	var keys [][]byte
	err = m.Flags(ctx, fr.sq, clock, seek, func(k []byte, text string) error {
		f, err := fquery.DecodeFlag(text)
		flags, keys = append(flags, f), append(keys, k)
		return err
	})
	if err != nil {
		return FlagPage{}, nil, err
	}
	more := len(flags) > size
	flags, keys = flags[:min(size, len(flags))], keys[:min(size, len(keys))]
	first := cur.At
	if cur.Back {
		slices.Reverse(flags)
		slices.Reverse(keys)
		if !more {
			first = 0 // the first page, whatever the cursor counted
		}
	}
	p := FlagPage{Flags: flags, Total: total, First: first + 1}
	p.hasPrev, p.hasNext = first > 0 || cur.Back && more, !cur.Back && more || cur.Back
	return p, keys, nil
}

// cutPage reads the listing, replayed under its filter and merged, as it goes: it counts every flag and keeps
// those of the page the cursor's place says.
func (r *Reader) cutPage(ctx context.Context, who keys.Identity, fr flagRead, clock time.Time, cur flagCursor, size int) (FlagPage, error) {
	flags, n := []domain.Flag{}, 0
	for lf, err := range r.s.flagsUnder(ctx, who, fr, clock) {
		if err != nil {
			return FlagPage{}, err
		}
		if n >= cur.At && n < cur.At+size {
			f, err := lf.Flag()
			if err != nil {
				return FlagPage{}, err
			}
			flags = append(flags, f)
		}
		n++
	}
	from := min(cur.At, n)
	to := min(from+size, n)
	return FlagPage{Flags: flags, Total: n, First: from + 1, hasPrev: from > 0, hasNext: to < n}, nil
}

// pageCursors signs the cursors of the pages before and after p, which keys (nil for a listing not read
// from the index) are the index keys of.
func (r *Reader) pageCursors(p *FlagPage, q url.Values, clock time.Time, keys [][]byte, size int) {
	sign := func(c flagCursor) string {
		after, _ := json.Marshal(c) // plain values: cannot fail
		return r.s.pages.encode(pageToken{Kind: consoleFlagsKind, Query: fingerprint(q), Clock: clock.UnixNano(), After: after})
	}
	n := len(p.Flags)
	if p.hasNext && n > 0 {
		c := flagCursor{At: p.First - 1 + n}
		if keys != nil {
			c.Key = keys[n-1]
		}
		p.Next = sign(c)
	}
	if p.hasPrev {
		c := flagCursor{At: max(0, p.First-1-size), Back: true}
		switch {
		case keys != nil && n > 0:
			c.Key = keys[0]
		case keys != nil:
			c = flagCursor{} // an empty page of the index: back to the first
		}
		p.Prev = sign(c)
	}
}
