package readmodel

import (
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
)

// sortedSink is a rebuild's rowSink of a clustered table: it holds the rows in a sortedRows, by their key,
// and writes them into the table in that order when flushed, batchRows at a time. A row's leading values
// (keyCols of them) are its key: they are held as the key alone, which unkey turns back into them.
type sortedSink struct {
	rows     *sortedRows
	batch    *rowBatch
	keyCols  int
	key      func(dst []byte, row []any) []byte // appends a row's key to dst
	unkey    func(row []any, key []byte) []any  // appends a key's values to row
	rec, buf []byte
}

// add holds a row until the sink is flushed.
func (s *sortedSink) add(ctx context.Context, row ...any) error {
	var err error
	if s.rec, err = appendValues(s.rec[:0], row[s.keyCols:]); err != nil {
		return fmt.Errorf("hold %s row: %w", s.batch.name, err)
	}
	s.buf = s.key(s.buf[:0], row)
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
		if row, err = readValues(s.unkey(row[:0], key), rec); err != nil {
			return fmt.Errorf("%s row: %w", s.batch.name, err)
		}
		return s.batch.add(ctx, row...)
	})
	if err != nil {
		return err
	}
	return s.batch.flush(ctx)
}

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
// []byte (copied), an integer as an int64.
func readValues(row []any, rec []byte) ([]any, error) {
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
				row = append(row, string(body))
			} else {
				row = append(row, append([]byte{}, body...)) // rec's bytes are reused once read
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
	b, err := newRowBatch(ctx, tx, "flag", flagInsert, flagCols)
	if err != nil {
		return nil, err
	}
	return &sortedSink{rows: newSortedRows(plan.dir, "flags", plan.runBytes), batch: b, keyCols: 1,
		key:   func(dst []byte, row []any) []byte { return append(dst, row[0].([]byte)...) },
		unkey: func(row []any, key []byte) []any { return append(row, append([]byte{}, key...)) }}, nil
}

// scopeSink holds a rebuild's flag scopes (scopeInsert's columns: a scope's id, a flag's key) in their
// table's order: by scope, then key; a row's key is the scope's id in 8 bytes, then the flag's key.
func scopeSink(ctx context.Context, tx *sql.Tx, plan sortPlan) (*sortedSink, error) {
	b, err := newRowBatch(ctx, tx, "flag scope", scopeInsert, scopeCols)
	if err != nil {
		return nil, err
	}
	return &sortedSink{rows: newSortedRows(plan.dir, "scopes", plan.runBytes), batch: b, keyCols: 2,
		key: func(dst []byte, row []any) []byte {
			return append(binary.BigEndian.AppendUint64(dst, uint64(row[0].(int64))), row[1].([]byte)...)
		},
		unkey: func(row []any, key []byte) []any {
			return append(row, int64(binary.BigEndian.Uint64(key[:8])), append([]byte{}, key[8:]...))
		}}, nil
}
