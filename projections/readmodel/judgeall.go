package readmodel

import (
	"context"
	"database/sql"
	"fmt"
	"runtime"
	"strings"
	"sync"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/projections"
)

// judgeAll judges and encodes workers on every core and hands each to write, on the calling goroutine.
func judgeAll(ctx context.Context, v *projections.View, ids []string, write func(encodedWorker) error) error {
	return judgeEach(ctx, v, ids, encodeWorker, write)
}

// judgeEach judges workers on every core, turns each judgement into a T with conv there, and hands each T to
// write on the calling goroutine, a chunk at a time in the order the chunks are done. The job orders the judgements read must have been
// built in v beforehand (v.JobOrder), as the judges only read them.
func judgeEach[T any](ctx context.Context, v *projections.View, ids []string,
	conv func(projections.Judgement) (T, error), write func(T) error) error {
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
		for _, j := range p.js {
			if err := write(j); err != nil {
				return stop(err)
			}
		}
	}
	return ctx.Err()
}

// judgedPart is a chunk of workers judged and converted, or the error that stopped it.
type judgedPart[T any] struct {
	js  []T
	err error
}

// judgeParts judges and converts the workers a chunk at a time on every core, until ctx ends; the channel is
// closed once every judge has stopped.
func judgeParts[T any](ctx context.Context, v *projections.View, ids []string,
	conv func(projections.Judgement) (T, error)) <-chan judgedPart[T] {
	const chunk = 256
	todo := make(chan int)
	done := make(chan judgedPart[T], runtime.GOMAXPROCS(0))
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

// judgePart judges and converts the workers ids names (those with an admitted event).
func judgePart[T any](v *projections.View, ids []string, conv func(projections.Judgement) (T, error)) judgedPart[T] {
	var p judgedPart[T]
	for _, id := range ids {
		j, ok := v.Judge(id)
		if !ok {
			continue
		}
		e, err := conv(j)
		if err != nil {
			return judgedPart[T]{err: err}
		}
		p.js = append(p.js, e)
	}
	return p
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
		if err := insertContext(ctx, tx, rec); err != nil {
			return err
		}
		if rec.Type != domain.TypeOrganisationRegistered {
			continue
		}
		f, err := projections.Decode(rec)
		if err != nil {
			return err
		}
		o := f.Event.(*domain.OrganisationRegistered)
		if _, err := tx.ExecContext(ctx, "INSERT OR REPLACE INTO orgs (org_id, name, role, sort_name) VALUES (?,?,?,?)",
			o.OrgID, o.Name, o.Role, strings.ToLower(o.Name)); err != nil {
			return fmt.Errorf("read model: store organisation %s: %w", o.OrgID, err)
		}
	}
	return nil
}
