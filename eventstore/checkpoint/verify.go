package checkpoint

import (
	"context"
	"errors"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/treefile"
)

// StoredTree is implemented by backends that keep their tree's hashes: the tree as stored, which after
// tampering may hold other or more leaves than the log. Verify uses it to name the first leaf that differs.
type StoredTree interface {
	StoredTree(ctx context.Context) (r tlog.HashReader, leaves int64, closeFn func() error, err error)
}

// Report is the outcome of Verify.
type Report struct {
	// Leaves is the number of events stored now.
	Leaves int64 `json:"leaves"`
	// Checkpoint is the size of the tree checked.
	Checkpoint int64 `json:"checkpoint_size"`
	// Problem is empty when the log holds the checkpoint's tree and has only grown since.
	Problem string `json:"problem,omitempty"`
	// Leaf is the first leaf that differs (-1 when none could be named), and Event the event now there.
	Leaf  int64                `json:"leaf"`
	Event *eventstore.Recorded `json:"-"`
}

// OK reports whether the log holds the checkpoint.
func (r Report) OK() bool { return r.Problem == "" }

func (r Report) String() string {
	if r.OK() {
		return fmt.Sprintf("the log's %d events hold the checkpoint of %d and are consistent with it", r.Leaves, r.Checkpoint)
	}
	if r.Event != nil {
		return fmt.Sprintf("leaf %d differs: the log now holds event %s (stream %s, revision %d) there; %s",
			r.Leaf, r.Event.ID, r.Event.Stream, r.Event.Revision, r.Problem)
	}
	return r.Problem
}

// Verify recomputes the tree from the events stored now (never trusting the backend's tree) and checks it
// against a kept checkpoint: the tree at the checkpoint's size must have its root, and the backend's
// consistency proof from it to the current tree must check. On a mismatch the report names the first leaf
// that differs when the backend's stored tree still matches the checkpoint, and otherwise says where the
// roots part; a log with fewer events than the checkpoint is reported as shorter. Errors are failures to
// read at all.
//
// Earlier checkpoints of the same log (signature-checked, e.g. from the operator's journal) narrow down where
// the log differs when the stored tree cannot name the leaf: the largest of them that the events still hold
// bounds the first bad leaf from below.
func Verify(ctx context.Context, s eventstore.Store, cp Checkpoint, earlier ...Checkpoint) (Report, error) {
	rep := Report{Checkpoint: cp.Size, Leaf: -1}
	mem, _ := treefile.Open("", false)
	claimed, claimedLeaves, done, err := storedTree(ctx, s, cp)
	if err != nil {
		return rep, err
	}
	defer done()
	batch := make([][32]byte, 0, 4096)
	for rec, err := range s.ReadAll(ctx, eventstore.Start) {
		if err != nil {
			var ce *eventstore.CorruptError
			if errors.As(err, &ce) {
				rep.Leaf, rep.Problem = rep.Leaves, "the event at this leaf cannot be read: "+ce.Error()
				return rep, nil
			}
			return rep, fmt.Errorf("verify checkpoint: %w", err)
		}
		h := eventstore.LeafHash(eventstore.Leaf(rec))
		if rep.Leaves < claimedLeaves {
			if want, err := leafAt(claimed, rep.Leaves); err != nil || want != h {
				rec := rec
				rep.Leaf, rep.Event, rep.Problem = rep.Leaves, &rec, "the checkpointed tree holds another leaf"
				return rep, err
			}
		}
		batch = append(batch, h)
		rep.Leaves++
		if len(batch) == cap(batch) {
			if err := mem.Append(batch, false); err != nil {
				return rep, err
			}
			batch = batch[:0]
		}
	}
	if err := mem.Append(batch, false); err != nil {
		return rep, err
	}
	return finish(ctx, s, mem, cp, rep, earlier)
}

// finish compares roots and checks the backend's consistency proof.
func finish(ctx context.Context, s eventstore.Store, mem *treefile.File, cp Checkpoint, rep Report, earlier []Checkpoint) (Report, error) {
	if rep.Leaves < cp.Size {
		rep.Problem = fmt.Sprintf("the log is shorter than the checkpoint: %d events, the checkpoint has %d", rep.Leaves, cp.Size)
		return rep, nil
	}
	if cp.Size == 0 {
		return rep, nil
	}
	root, err := tlog.TreeHash(cp.Size, mem)
	if err != nil {
		return rep, err
	}
	if root != cp.Root {
		rep.Problem = fmt.Sprintf("the tree of the first %d events has root %v, the checkpoint %v (the stored tree "+
			"was rebuilt too, so the first leaf that differs cannot be named from this checkpoint)", cp.Size, root, cp.Root)
		if held, err := largestHeld(mem, rep.Leaves, cp.Size, earlier); err != nil {
			return rep, err
		} else if held > 0 {
			rep.Problem += fmt.Sprintf("; the first %d events still hold the earlier checkpoint of that size, so the "+
				"first bad leaf is between leaf %d and leaf %d", held, held, cp.Size-1)
		}
		return rep, nil
	}
	l, ok := s.(eventstore.Log)
	if !ok {
		return rep, nil
	}
	cur, err := tlog.TreeHash(rep.Leaves, mem)
	if err != nil {
		return rep, err
	}
	proof, err := l.ProveTree(ctx, cp.Size, rep.Leaves)
	if err == nil {
		err = tlog.CheckTree(proof, rep.Leaves, cur, cp.Size, cp.Root)
	}
	if err != nil {
		rep.Problem = fmt.Sprintf("the store's consistency proof from %d to %d events does not check: %v", cp.Size, rep.Leaves, err)
	}
	return rep, nil
}

// storedTree is the backend's stored tree when it still has the checkpoint's root (else nothing to compare).
func storedTree(ctx context.Context, s eventstore.Store, cp Checkpoint) (tlog.HashReader, int64, func(), error) {
	st, ok := s.(StoredTree)
	if !ok || cp.Size == 0 {
		return nil, 0, func() {}, nil
	}
	r, n, closeFn, err := st.StoredTree(ctx)
	if err != nil {
		return nil, 0, func() {}, fmt.Errorf("verify checkpoint: %w", err)
	}
	done := func() { _ = closeFn() }
	if n < cp.Size {
		done()
		return nil, 0, func() {}, nil
	}
	if root, err := tlog.TreeHash(cp.Size, r); err != nil || root != cp.Root {
		done()
		return nil, 0, func() {}, nil
	}
	return r, cp.Size, done, nil
}

func leafAt(r tlog.HashReader, i int64) (tlog.Hash, error) {
	hs, err := r.ReadHashes([]int64{tlog.StoredHashIndex(0, i)})
	if err != nil {
		return tlog.Hash{}, err
	}
	return hs[0], nil
}

// largestHeld is the largest size of an earlier checkpoint (below size) whose root the recomputed tree of n
// leaves still has; 0 when none.
func largestHeld(mem *treefile.File, n, size int64, earlier []Checkpoint) (int64, error) {
	var held int64
	for _, e := range earlier {
		if e.Size <= held || e.Size >= size || e.Size > n || e.Size == 0 {
			continue
		}
		root, err := tlog.TreeHash(e.Size, mem)
		if err != nil {
			return 0, err
		}
		if root == e.Root {
			held = e.Size
		}
	}
	return held, nil
}
