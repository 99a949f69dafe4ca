package readmodel

import (
	"context"
	"runtime"
	"sync"
	"time"

	"github.com/fairtrail/fairtrail/projections"
)

// Workers a catch-up judges: alone below judgeInParallel, else on every core judgeEvery at a time.
const (
	judgeInParallel = 4
	judgeEvery      = 2
)

// writeWorkers judges and writes the workers of a catch-up, in their order, with w: a batch of several (the
// posts that waited for one catch-up) judged and encoded on every core while w writes those judged before.
// A View is not safe for concurrent use: each judge judges on a view of pm of its own (building again the few
// job orders its workers read).
func writeWorkers(ctx context.Context, w *writer, pm *projections.Model, v *projections.View, workers []string) error {
	if !w.fresh && len(workers) > 1 { // one worker's are read as it is written, by statements with no json_each
		if err := w.readOld(ctx, workers); err != nil {
			return err
		}
	}
	if len(workers) < judgeInParallel {
		for _, id := range workers {
			if j, ok := v.Judge(id); ok {
				if err := w.worker(ctx, j); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return judgeInOrder(ctx, pm, workers, func(es []encodedWorker) error {
		for _, e := range es {
			if err := w.encodedWorker(ctx, e); err != nil {
				return err
			}
		}
		return nil
	})
}

// judgeInOrder judges and encodes workers on every core, judgeEvery at a time, and hands each part to write on
// the calling goroutine in the workers' order, as soon as it and those before it are done.
func judgeInOrder(ctx context.Context, pm *projections.Model, ids []string, write func([]encodedWorker) error) error {
	n := (len(ids) + judgeEvery - 1) / judgeEvery
	parts := make([]chan judgedPart[[]encodedWorker], n)
	todo := make(chan int, n)
	for i := range parts {
		parts[i] = make(chan judgedPart[[]encodedWorker], 1) // a judge never waits for the writer
		todo <- i
	}
	close(todo)
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }()
	encode := convEach(encodeWorker)
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			v := pm.View(time.Time{})
			for i := range todo {
				if ctx.Err() != nil {
					return
				}
				parts[i] <- judgePart(v, ids[i*judgeEvery:min((i+1)*judgeEvery, len(ids))], encode)
			}
		})
	}
	for _, part := range parts {
		var p judgedPart[[]encodedWorker]
		select {
		case p = <-part:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
		if p.err != nil {
			return p.err
		}
		if err := write(p.p); err != nil {
			return err
		}
	}
	return nil
}
