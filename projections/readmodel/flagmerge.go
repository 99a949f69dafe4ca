package readmodel

import (
	"bufio"
	"cmp"
	"context"
	"fmt"
	"io"
	"iter"
)

// runReadBuffer is the read buffer of each run a merge reads: with one buffered flag, what a merge holds
// per run.
const runReadBuffer = 16 << 10

// mergeCheck is how many flags a merge yields between two looks at its context.
const mergeCheck = 4096

// merge yields the flags of a listing's runs in listing order: a k-way merge that holds one flag per run.
// Among flags of the same key, those of an earlier run come first, and within a run they keep their order:
// the merge lists them as a stable sort of the runs one after the other would. A consumer that stops early
// stops the merge there; so does the end of ctx, whose error is then yielded.
func (r *flagRuns) merge(ctx context.Context, listing int) iter.Seq2[ListedFlag, error] {
	return func(yield func(ListedFlag, error) bool) {
		var cursors []*runCursor
		for i, run := range r.runs[listing] {
			c := &runCursor{run: i, r: bufio.NewReaderSize(io.NewSectionReader(r.file, run.off, run.size), runReadBuffer)}
			ok, err := c.next()
			if err != nil {
				yield(ListedFlag{}, fmt.Errorf("read model: read flag run %d: %w", i, err))
				return
			}
			if ok {
				cursors = append(cursors, c)
			}
		}
		h := newMergeHeap(cursors, func(a, b *runCursor) bool {
			return cmp.Or(compareListed(a.cur, b.cur), cmp.Compare(a.run, b.run)) < 0
		})
		for n := 1; h.Len() > 0; n++ {
			if n%mergeCheck == 0 && ctx.Err() != nil {
				yield(ListedFlag{}, fmt.Errorf("read model: merge flag runs: %w", ctx.Err()))
				return
			}
			c := h.head()
			if !yield(c.cur, nil) {
				return
			}
			ok, err := c.next()
			if err != nil {
				yield(ListedFlag{}, fmt.Errorf("read model: read flag run %d: %w", c.run, err))
				return
			}
			h.advance(ok)
		}
	}
}

// runCursor is a run being merged: its reader and the flag it is at.
type runCursor struct {
	run int
	r   *bufio.Reader
	cur ListedFlag
}

// next moves the cursor to the run's next flag; false at the run's end.
func (c *runCursor) next() (bool, error) {
	f, err := readListed(c.r)
	if err == io.EOF {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	c.cur = f
	return true, nil
}
