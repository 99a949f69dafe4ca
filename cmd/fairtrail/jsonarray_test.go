package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"testing"
)

func TestWriteJSONArrayWritesWhatWriteJSONWrites(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 1, arrayBatch - 1, arrayBatch, 3*arrayBatch + 7} {
		t.Run(fmt.Sprintf("%d values", n), func(t *testing.T) {
			t.Parallel()
			values := make([]json.RawMessage, n)
			for i := range values {
				values[i] = json.RawMessage(fmt.Sprintf(`{"i":%d,"s":"a, \"b\": [c]","e":{},"l":[1,{"x":[]}]}`, i))
			}
			var want bytes.Buffer
			if err := writeJSON(&want, values); err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			err := writeJSONTexts(&got, func(fn func(string) error) error {
				for _, v := range values {
					if err := fn(string(v)); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want.Bytes()) {
				t.Errorf("writeJSONArray wrote\n%s\nwant\n%s", got.Bytes(), want.Bytes())
			}
		})
	}
}

// failingWriter fails every write after its first ok ones.
type failingWriter struct{ ok int }

var errDiskFull = errors.New("disk full")

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.ok == 0 {
		return 0, errDiskFull
	}
	w.ok--
	return len(p), nil
}

func TestWriteJSONArrayStops(t *testing.T) {
	t.Parallel()
	errRead := errors.New("read failed")
	value := `{"code":"fee.prohibited","details":{"note":"` + string(bytes.Repeat([]byte("x"), 1000)) + `"}}`
	for _, tc := range []struct {
		name   string
		writer *failingWriter // nil: a buffer
		failAt int            // the value at which list fails (-1: never)
		want   error
	}{
		{name: "when the listing fails, leaving no finished array", failAt: 2*arrayBatch + 3, want: errRead},
		{name: "when the listing fails at once, writing nothing", failAt: 0, want: errRead},
		{name: "when a write fails, stopping the listing", writer: &failingWriter{ok: 3}, failAt: -1, want: errDiskFull},
		{name: "when a value is not JSON", failAt: -1, want: errUnbalanced},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			var w io.Writer = &out
			if tc.writer != nil {
				w = tc.writer
			}
			listed := 0
			err := writeJSONTexts(w, func(fn func(string) error) error {
				for i := range 100 * arrayBatch {
					if i == tc.failAt {
						return errRead
					}
					v := value
					if errors.Is(tc.want, errUnbalanced) && i == arrayBatch+1 {
						v = `{"open":[`
					}
					listed++
					if err := fn(v); err != nil {
						return err
					}
				}
				return nil
			})
			if !errors.Is(err, tc.want) {
				t.Fatalf("writeJSONArray = %v, want %v", err, tc.want)
			}
			if listed == 100*arrayBatch {
				t.Errorf("the listing went on to its end after the writer stopped")
			}
			if bytes.HasSuffix(out.Bytes(), []byte("]\n")) {
				t.Errorf("a failed listing ended its array: ...%s", out.Bytes()[max(0, out.Len()-20):])
			}
		})
	}
}
