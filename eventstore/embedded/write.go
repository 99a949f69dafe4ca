package embedded

import (
	"context"
	"errors"
	"fmt"
	"runtime"

	"github.com/fairtrail/fairtrail/eventstore"
)

// appendOp is one caller's requests, committed all or nothing.
type appendOp struct {
	reqs    []eventstore.AppendRequest
	results []eventstore.AppendResult
	err     error
	done    chan struct{}
}

// maxGroupEvents bounds how many events one group commit writes.
const maxGroupEvents = 20000

// Append implements eventstore.Store.
func (s *Store) Append(ctx context.Context, req eventstore.AppendRequest) (eventstore.AppendResult, error) {
	res, err := s.AppendBatch(ctx, []eventstore.AppendRequest{req})
	if err != nil {
		return eventstore.AppendResult{}, err
	}
	return res[0], nil
}

// AppendBatch implements eventstore.Store: the requests are committed atomically, with one sync shared with
// whatever other appends are waiting.
func (s *Store) AppendBatch(ctx context.Context, reqs []eventstore.AppendRequest) ([]eventstore.AppendResult, error) {
	if s.opts.ReadOnly {
		return nil, fmt.Errorf("append: store opened read-only: %w", eventstore.ErrClosed)
	}
	if err := checkRequests(reqs); err != nil {
		return nil, err
	}
	op := &appendOp{reqs: reqs, done: make(chan struct{})}
	// Close takes sendMu exclusively before stopping the writer, so an op queued here is always seen by it.
	s.sendMu.RLock()
	if s.closed.Load() {
		s.sendMu.RUnlock()
		return nil, eventstore.ErrClosed
	}
	select {
	case s.requests <- op:
		s.sendMu.RUnlock()
	case <-ctx.Done():
		s.sendMu.RUnlock()
		return nil, ctx.Err()
	}
	// Once queued, the op is committed or failed by the writer; waiting for it keeps the answer truthful.
	<-op.done
	return op.results, op.err
}

func checkRequests(reqs []eventstore.AppendRequest) error {
	for _, r := range reqs {
		if r.Stream == "" {
			return errors.New("append: empty stream name")
		}
		for _, e := range r.Events {
			if e.ID.IsZero() {
				return fmt.Errorf("append to %s: event without an id", r.Stream)
			}
			if len(e.Data) > maxData {
				return fmt.Errorf("append to %s: event %s data is over %d bytes", r.Stream, e.ID, maxData)
			}
		}
	}
	return nil
}

// writeLoop is the single writer: it gathers waiting ops, commits them with one write and one sync, and
// answers them.
func (s *Store) writeLoop() {
	defer close(s.done)
	var group []*appendOp
	answered := 0
	for {
		select {
		case op := <-s.requests:
			group = append(group[:0], op)
		case <-s.stop:
			s.drainAtClose()
			return
		}
		group = s.gather(group, answered)
		s.commit(group)
		answered = len(group)
		s.maybeCheckpoint()
	}
}

// gatherYields bounds how often gather lets the callers it just answered run before it commits without them.
const gatherYields = 4

// gather adds the ops waiting behind the first to its group, up to maxGroupEvents. Callers answered by the
// previous commit are often about to append again, but the first of them to run wakes the writer before the
// others have queued, and a commit of that one alone would make the rest wait a whole sync: so while fewer
// ops are gathered than the last commit answered, the writer yields the processor (a few times at most, and
// never when appends come one at a time) for them to queue and share this commit's sync.
func (s *Store) gather(group []*appendOp, answered int) []*appendOp {
	n := countEvents(group[0])
	for yields := 0; n < maxGroupEvents; yields++ {
	drain:
		for n < maxGroupEvents {
			select {
			case op := <-s.requests:
				group = append(group, op)
				n += countEvents(op)
			default:
				break drain
			}
		}
		if len(group) >= answered || yields == gatherYields {
			break
		}
		runtime.Gosched()
	}
	return group
}

// drainAtClose commits the ops queued before Close; no more can arrive.
func (s *Store) drainAtClose() {
	var group []*appendOp
	for {
		select {
		case op := <-s.requests:
			group = append(group, op)
		default:
			if len(group) > 0 {
				s.commit(group)
			}
			return
		}
	}
}

func countEvents(op *appendOp) int {
	n := 0
	for _, r := range op.reqs {
		n += len(r.Events)
	}
	return n
}

// commit stages every op against the index, writes the accepted ones and syncs, then publishes.
func (s *Store) commit(group []*appendOp) {
	if errp := s.failed.Load(); errp != nil {
		for _, op := range group {
			op.err = fmt.Errorf("%w: earlier write failed: %w", eventstore.ErrClosed, *errp)
			close(op.done)
		}
		return
	}
	b := newBatch(s, s.ix.last()+1, s.opts.Now().UTC(), group)
	var accepted []*appendOp
	for _, op := range group {
		mark := b.mark()
		results, err := b.stage(op.reqs)
		if err != nil {
			b.rollback(mark)
			op.err = err
			close(op.done)
			continue
		}
		op.results = results
		accepted = append(accepted, op)
	}
	if err := s.write(b); err != nil {
		s.failed.Store(&err)
		s.opts.Logger.Error("event log write failed; store stops accepting appends", "err", err)
		for _, op := range accepted {
			op.results, op.err = nil, fmt.Errorf("append: %w", err)
			close(op.done)
		}
		return
	}
	for _, op := range accepted {
		close(op.done)
	}
}

// write appends the batch's records at the end of the log, syncs, and publishes them to the index.
func (s *Store) write(b *batch) error {
	if len(b.buf) == 0 {
		return nil
	}
	off := s.size.Load()
	before := s.tree.Leaves()
	// The tree's hashes are written first, so that a reader beside this writer that sees the new records finds
	// their hashes too; hashes past the log's end (a crash in between) are cut off at the next open.
	if err := s.tree.Append(b.leaves, false); err != nil {
		return fmt.Errorf("event log tree: %w", err)
	}
	if _, err := s.f.WriteAt(b.buf, off); err != nil {
		_ = s.f.Truncate(off)
		_ = s.tree.Truncate(before)
		return fmt.Errorf("write event log: %w", err)
	}
	if err := s.syncCommit(before + int64(len(b.leaves))); err != nil {
		return err
	}
	s.mu.Lock()
	for i, h := range b.headers {
		if err := s.ix.add(off+b.offsets[i], h); err != nil {
			s.mu.Unlock()
			return fmt.Errorf("index the records written: %w", err)
		}
	}
	s.size.Store(off + int64(len(b.buf)))
	close(s.notify)
	s.notify = make(chan struct{})
	s.mu.Unlock()
	return nil
}

// syncCommit makes a group commit durable before it is answered: the log's records always, with one
// fdatasync; the tree's hashes (derived from the records) only when treeSyncEvery leaves are unsynced, then
// concurrently with the log's, so that one journal commit of the file system can carry both files' sizes.
func (s *Store) syncCommit(leaves int64) error {
	if !s.treeSyncDue(leaves) {
		return syncFile(s.f)
	}
	treeDone := make(chan error, 1)
	go func() { treeDone <- s.tree.Sync() }()
	err := syncFile(s.f)
	if terr := <-treeDone; terr != nil {
		return errors.Join(err, fmt.Errorf("event log tree: %w", terr))
	}
	if err != nil {
		return err
	}
	s.durable.raise(leaves)
	return nil
}
