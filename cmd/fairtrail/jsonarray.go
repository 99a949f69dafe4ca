package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

// arrayBatch is how many values writeJSONArray hands its writer at a time: enough that the hand-over costs
// nothing per value, few enough that the values held stay a few hundred KB.
const arrayBatch = 256

// writeJSONArray writes the JSON values list yields (compact, no HTML escaping) as writeJSON writes the
// array of them, as they come. The values are laid out and written by a goroutine of its own, in batches,
// while list reads the next ones: a listing of every flag spends about as long reading its rows as laying
// them out, and the two then run on two cores. The goroutine ends before writeJSONArray returns; its error
// (a write's, or a value that is not JSON) stops list and is returned.
func writeJSONArray(w io.Writer, list func(fn func(string) error) error) error {
	batches, recycled := make(chan []string, 4), make(chan []string, 4)
	stopped := make(chan struct{}) // closed once the writer failed: it reads no more batches
	failed := make(chan struct{})  // closed when list failed: the array is left unfinished
	done := make(chan error, 1)
	go func() { done <- writeArrayBatches(w, batches, recycled, stopped, failed) }()
	send := func(b []string) error {
		select {
		case batches <- b:
			return nil
		case <-stopped:
			return errWriterStopped
		}
	}
	batch := make([]string, 0, arrayBatch)
	err := list(func(text string) error {
		if batch = append(batch, text); len(batch) < arrayBatch {
			return nil
		}
		if err := send(batch); err != nil {
			return err
		}
		select {
		case batch = <-recycled:
		default:
			batch = make([]string, 0, arrayBatch)
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

// writeArrayBatches lays out and writes the values of each batch (see writeJSONArray) until batches is
// closed, handing each batch back on recycled when there is room, then ends the array unless failed is
// closed (a listing that failed leaves no complete-looking array: what was not yet written out is dropped, as
// it always was). On an error it closes stopped and returns it at once (batches is then read by nobody: the
// sender sees stopped).
func writeArrayBatches(w io.Writer, batches <-chan []string, recycled chan<- []string, stopped, failed chan struct{}) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	n := 0
	var buf []byte
	fail := func(err error) error {
		close(stopped)
		return err
	}
	for batch := range batches {
		for _, text := range batch {
			sep := ",\n  "
			if n == 0 {
				sep = "[\n  "
			}
			n++
			var err error
			if buf, err = appendIndented(append(buf[:0], sep...), text, "  ", "  "); err != nil {
				return fail(fmt.Errorf("value %d of the array: %w", n, err))
			}
			if _, err := bw.Write(buf); err != nil {
				return fail(err)
			}
		}
		clear(batch)
		select {
		case recycled <- batch[:0]:
		default:
		}
	}
	select {
	case <-failed:
		return nil
	default:
	}
	if n == 0 {
		bw.WriteString("[]\n")
	} else {
		bw.WriteString("\n]\n")
	}
	if err := bw.Flush(); err != nil {
		return fail(err)
	}
	return nil
}
