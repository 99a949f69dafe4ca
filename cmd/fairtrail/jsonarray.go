package main

import (
	"errors"
	"fmt"
	"io"
)

const (
	// arrayBatch is how many values writeJSONArray hands its writer at a time: enough that the hand-over costs
	// nothing per value, few enough that the values held stay a few hundred KB.
	arrayBatch = 256
	// arrayWrite is how much laid-out JSON writeJSONArray gathers before it writes: a listing of every flag
	// writes gigabytes, and each write is a system call.
	arrayWrite = 256 << 10
)

// writeJSONTexts is writeJSONArray of values that are JSON texts.
func writeJSONTexts(w io.Writer, list func(fn func(string) error) error) error {
	return writeJSONArray(w, list, func(dst []byte, text string) []byte { return append(dst, text...) })
}

// writeJSONArray writes the values list yields, each as appendJSON appends its JSON (compact, no HTML
// escaping), as writeJSON writes the array of them, as they come. The values are laid out and written by a
// goroutine of its own, in batches, while list reads the next ones: a listing of every flag spends about as
// long reading its rows as putting their JSON together and laying it out, and the two then run on two cores.
// The goroutine ends before writeJSONArray returns; its error (a write's, or a value that is not JSON) stops
// list and is returned.
func writeJSONArray[T any](w io.Writer, list func(fn func(T) error) error, appendJSON func([]byte, T) []byte) error {
	batches, recycled := make(chan []T, 4), make(chan []T, 4)
	stopped := make(chan struct{}) // closed once the writer failed: it reads no more batches
	failed := make(chan struct{})  // closed when list failed: the array is left unfinished
	done := make(chan error, 1)
	aw := arrayWriter[T]{w: w, appendJSON: appendJSON, recycled: recycled, stopped: stopped, failed: failed}
	go func() { done <- aw.run(batches) }()
	send := func(b []T) error {
		select {
		case batches <- b:
			return nil
		case <-stopped:
			return errWriterStopped
		}
	}
	batch := make([]T, 0, arrayBatch)
	err := list(func(v T) error {
		if batch = append(batch, v); len(batch) < arrayBatch {
			return nil
		}
		if err := send(batch); err != nil {
			return err
		}
		select {
		case batch = <-recycled:
		default:
			batch = make([]T, 0, arrayBatch)
		}
		return nil
	})
	if err == nil && len(batch) > 0 {
		err = send(batch)
	}
	if err != nil {
		close(failed)
	}
	close(batches)
	werr := <-done
	if werr != nil {
		return werr // a write failed (and err, if any, is errWriterStopped)
	}
	return err
}

// errWriterStopped stops a listing whose writer failed; writeJSONArray returns the writer's error instead.
var errWriterStopped = errors.New("the JSON array's writer stopped")

// arrayWriter is writeJSONArray's writing goroutine.
type arrayWriter[T any] struct {
	w          io.Writer
	appendJSON func([]byte, T) []byte
	recycled   chan<- []T
	// stopped is closed once the writer failed; failed, when list did.
	stopped, failed chan struct{}
}

// run lays out and writes the values of each batch until batches is closed, handing each batch back on
// recycled when there is room, then ends the array unless failed is closed (a listing that failed leaves no
// complete-looking array: what was not yet written out is dropped, as it always was). On an error it closes
// stopped and returns it at once (batches is then read by nobody: the sender sees stopped).
func (a *arrayWriter[T]) run(batches <-chan []T) error {
	in := newIndenter("  ", "  ")
	out := make([]byte, 0, arrayWrite+64<<10)
	var value []byte
	n := 0
	fail := func(err error) error {
		close(a.stopped)
		return err
	}
	for batch := range batches {
		for i := range batch {
			if n == 0 {
				out = append(out, "[\n  "...)
			} else {
				out = append(out, ",\n  "...)
			}
			n++
			value = a.appendJSON(value[:0], batch[i])
			var err error
			if out, err = in.append(out, value); err != nil {
				return fail(fmt.Errorf("value %d of the array: %w", n, err))
			}
			if len(out) >= arrayWrite {
				if _, err := a.w.Write(out); err != nil {
					return fail(err)
				}
				out = out[:0]
			}
		}
		clear(batch)
		select {
		case a.recycled <- batch[:0]:
		default:
		}
	}
	select {
	case <-a.failed:
		return nil
	default:
	}
	if n == 0 {
		out = append(out, "[]\n"...)
	} else {
		out = append(out, "\n]\n"...)
	}
	if _, err := a.w.Write(out); err != nil {
		return fail(err)
	}
	return nil
}
