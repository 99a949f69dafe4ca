package readmodel

import (
	"context"
	"database/sql"
	"runtime"
	"sync"

	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/projections"
)

// judgeAll judges, encodes and tallies workers on every core for w, a rebuild's writer, and writes each chunk
// with w on the calling goroutine.
func judgeAll(ctx context.Context, w *writer, v *projections.View, ids []string) error {
	return judgeChunks(ctx, v, ids, encodePart(w), func(p encodedPart) error {
		w.mergeTally(p.tally)
		for _, e := range p.workers {
			if err := w.encodedWorker(ctx, e); err != nil {
				return err
			}
		}
		return nil
	})
}

// judgeEach judges workers on every core, turns each judgement into a T with conv there, and hands each T to
// write on the calling goroutine, a chunk at a time in the order the chunks are done. The job orders the
// judgements read must have been built in v beforehand (v.JobOrder), as the judges only read them.
func judgeEach[T any](ctx context.Context, v *projections.View, ids []string,
	conv func(projections.Judgement) (T, error), write func(T) error) error {
	return judgeChunks(ctx, v, ids, convEach(conv), func(ts []T) error {
		for _, t := range ts {
			if err := write(t); err != nil {
				return err
			}
		}
		return nil
	})
}

// convEach turns a converter of one judgement into a converter of a chunk of them.
func convEach[T any](conv func(projections.Judgement) (T, error)) func([]projections.Judgement) ([]T, error) {
	return func(js []projections.Judgement) ([]T, error) {
		out := make([]T, 0, len(js))
		for _, j := range js {
			e, err := conv(j)
			if err != nil {
				return nil, err
			}
			out = append(out, e)
		}
		return out, nil
	}
}

// judgeChunks judges workers on every core a chunk at a time, turns each chunk's judgements into a P with
// conv there, and hands each P to write on the calling goroutine, in the order the chunks are done.
func judgeChunks[P any](ctx context.Context, v *projections.View, ids []string,
	conv func([]projections.Judgement) (P, error), write func(P) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := judgeParts(ctx, v, ids, conv)
	stop := func(err error) error {
		cancel()
		for range done { // let the judges finish
		}
		return err
	}
	for p := range done {
		if p.err != nil {
			return stop(p.err)
		}
		if err := write(p.p); err != nil {
			return stop(err)
		}
	}
	return ctx.Err()
}

// judgedPart is a chunk of workers judged and converted, or the error that stopped it.
type judgedPart[P any] struct {
	p   P
	err error
}

// judgeParts judges and converts the workers a chunk at a time on every core, until ctx ends; the channel is
// closed once every judge has stopped.
func judgeParts[P any](ctx context.Context, v *projections.View, ids []string,
	conv func([]projections.Judgement) (P, error)) <-chan judgedPart[P] {
	const chunk = 256
	todo := make(chan int)
	done := make(chan judgedPart[P], runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for start := range todo {
				select {
				case done <- judgePart(v, ids[start:min(start+chunk, len(ids))], conv):
				case <-ctx.Done():
					return
				}
			}
		})
	}
	go func() {
		defer close(todo)
		for start := 0; start < len(ids); start += chunk {
			select {
			case todo <- start:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(done) }()
	return done
}

// judgePart judges the workers ids names (those with an admitted event) and converts their judgements.
func judgePart[P any](v *projections.View, ids []string, conv func([]projections.Judgement) (P, error)) judgedPart[P] {
	js := make([]projections.Judgement, 0, len(ids))
	for _, id := range ids {
		if j, ok := v.Judge(id); ok {
			js = append(js, j)
		}
	}
	p, err := conv(js)
	return judgedPart[P]{p: p, err: err}
}

// writeContext writes the job orders' flags and contributions, the organisations and the events that are not
// a worker's.
func writeContext(ctx context.Context, tx *sql.Tx, w *writer, v *projections.View, jobOrders []string,
	recs []eventstore.Recorded) error {
	for _, id := range jobOrders {
		jo, ok := v.JobOrder(id)
		if !ok {
			continue
		}
		if err := w.jobOrder(ctx, jo, v.JobOrderFlags(id)); err != nil {
			return err
		}
	}
	for _, rec := range recs {
		if _, err := insertContext(ctx, tx, rec); err != nil {
			return err
		}
		if err := insertOrgOf(ctx, tx, rec); err != nil {
			return err
		}
	}
	return nil
}
