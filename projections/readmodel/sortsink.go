package readmodel

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"unsafe"
)

// sortedSink is a rebuild's rowSink of a clustered table: it holds the rows in a sortedRows, by their key,
// and writes them into the table in that order when flushed, batchRows at a time. A row's leading values
// (keyCols of them) are its key: they are held as the key alone, which unkey turns back into them (their
// bytes copied to the batch's arena).
type sortedSink struct {
	rows     *sortedRows
	batch    *rowBatch
	keyCols  int
	key      func(dst []byte, row []any) ([]byte, error)   // appends a row's key to dst
	unkey    func(row []any, key []byte, mem *arena) []any // appends a key's values to row
	rec, buf []byte
}

// add holds a row until the sink is flushed.
func (s *sortedSink) add(ctx context.Context, row ...any) error {
	var err error
	if s.rec, err = appendValues(s.rec[:0], row[s.keyCols:]); err != nil {
		return fmt.Errorf("hold %s row: %w", s.batch.name, err)
	}
	if s.buf, err = s.key(s.buf[:0], row); err != nil {
		return fmt.Errorf("hold %s row: %w", s.batch.name, err)
	}
	if err := s.rows.add(s.buf, s.rec); err != nil {
		return fmt.Errorf("hold %s rows: %w", s.batch.name, err)
	}
	return ctx.Err()
}

// flush writes every row held in key order, and removes the runs.
func (s *sortedSink) flush(ctx context.Context) error {
	defer s.rows.remove()
	row := make([]any, 0, s.batch.cols)
	err := s.rows.each(func(key, rec []byte) error {
		var err error
		if row, err = readValues(s.unkey(row[:0], key, &s.batch.mem), rec, &s.batch.mem); err != nil {
			return fmt.Errorf("%s row: %w", s.batch.name, err)
		}
		return s.batch.add(ctx, row...)
	})
	if err != nil {
		return err
	}
	return s.batch.flush(ctx)
}

// arena holds the bytes of the values of a batch's rows, read back from a sort's runs (whose buffers are
// reused once read), until the batch is written: one buffer, reused, rather than memory of each value's own.
// The driver copies what it binds, so the values are not used once the batch is written.
type arena struct{ buf []byte }

// bytes returns a copy of b in the arena (not nil: an empty blob is bound as a blob).
func (a *arena) bytes(b []byte) []byte {
	if len(b) == 0 {
		return []byte{}
	}
	start := len(a.buf)
	a.buf = append(a.buf, b...)
	return a.buf[start:len(a.buf):len(a.buf)]
}

// text returns b as a string whose bytes are in the arena, valid until reset.
func (a *arena) text(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	v := a.bytes(b)
	return unsafe.String(&v[0], len(v))
}

// reset lets the arena's memory be used again, once the values it holds are written.
func (a *arena) reset() { a.buf = a.buf[:0] }

// The kinds of value a held row's record holds, each written as its kind's byte, then a uvarint length and
// the bytes (text, blob) or a varint (integer).
const (
	valueNull byte = iota
	valueText
	valueBlob
	valueInt
)

// appendValues appends a row's record to b: its values of the kinds a statement binds (nil, string, []byte,
// int, int64).
func appendValues(b []byte, row []any) ([]byte, error) {
	for i, v := range row {
		switch v := v.(type) {
		case nil:
			b = append(b, valueNull)
		case string:
			b = append(binary.AppendUvarint(append(b, valueText), uint64(len(v))), v...)
		case []byte:
			if v == nil {
				b = append(b, valueNull)
				continue
			}
			b = append(binary.AppendUvarint(append(b, valueBlob), uint64(len(v))), v...)
		case int:
			b = binary.AppendVarint(append(b, valueInt), int64(v))
		case int64:
			b = binary.AppendVarint(append(b, valueInt), v)
		default:
			return nil, fmt.Errorf("value %d: %w: %T", i, errSortRecord, v)
		}
	}
	return b, nil
}

// readValues appends to row the values of a record appendValues wrote: text as a string, a blob as a
// []byte (both copied to mem), an integer as an int64.
func readValues(row []any, rec []byte, mem *arena) ([]any, error) {
	for len(rec) > 0 {
		kind := rec[0]
		rec = rec[1:]
		switch kind {
		case valueNull:
			row = append(row, nil)
		case valueInt:
			n, k := binary.Varint(rec)
			if k <= 0 {
				return nil, fmt.Errorf("%w: integer", errSortRecord)
			}
			row, rec = append(row, n), rec[k:]
		case valueText, valueBlob:
			n, k := binary.Uvarint(rec)
			if k <= 0 || n > uint64(len(rec)-k) {
				return nil, fmt.Errorf("%w: length", errSortRecord)
			}
			body := rec[k : k+int(n)]
			if kind == valueText {
				row = append(row, mem.text(body))
			} else {
				row = append(row, mem.bytes(body))
			}
			rec = rec[k+int(n):]
		default:
			return nil, fmt.Errorf("%w: kind %d", errSortRecord, kind)
		}
	}
	return row, nil
}

// flagSink holds a rebuild's flags (flagInsert's columns) by their key, k.
func flagSink(ctx context.Context, tx *sql.Tx, plan sortPlan) (*sortedSink, error) {
	b, err := newRowBatch(ctx, tx, "flag", flagInsert, flagCols, 0)
	if err != nil {
		return nil, err
	}
	return &sortedSink{rows: newSortedRows(plan.dir, "flags", plan.runBytes), batch: b, keyCols: 1,
		key:   func(dst []byte, row []any) ([]byte, error) { return append(dst, row[0].([]byte)...), nil },
		unkey: func(row []any, key []byte, mem *arena) []any { return append(row, mem.bytes(key)) }}, nil
}

// errScopeID marks a flag scope's id that a held scope row cannot hold.
var errScopeID = errors.New("flag scope id out of range")

// scopeSink holds a rebuild's flag scopes (scopeInsert's columns: a scope's id, a flag's key) in their
// table's order: by scope, then key; a row's key is the scope's id in 4 bytes, then the flag's key (so that
// the 16 bytes a sort compares first hold the flag's time to the nanosecond).
func scopeSink(ctx context.Context, tx *sql.Tx, plan sortPlan) (*sortedSink, error) {
	b, err := newRowBatch(ctx, tx, "flag scope", scopeInsert, scopeCols, 1) // a scope's rows, one after another
	if err != nil {
		return nil, err
	}
	var last uint32
	var boxed any // last, as the statement binds it: the rows of a scope come one after another
	return &sortedSink{rows: newSortedRows(plan.dir, "scopes", plan.runBytes), batch: b, keyCols: 2,
		key: scopeKey,
		unkey: func(row []any, key []byte, mem *arena) []any {
			if id := binary.BigEndian.Uint32(key[:4]); boxed == nil || id != last {
				last, boxed = id, int64(id)
			}
			return append(row, boxed, mem.bytes(key[4:]))
		}}, nil
}

// scopeKey appends the key of a scope row (a scope's id, a flag's key) to dst.
func scopeKey(dst []byte, row []any) ([]byte, error) {
	id := row[0].(int64)
	if id < 0 || id > math.MaxUint32 {
		return dst, fmt.Errorf("%w: %d", errScopeID, id)
	}
	return append(binary.BigEndian.AppendUint32(dst, uint32(id)), row[1].([]byte)...), nil
}
