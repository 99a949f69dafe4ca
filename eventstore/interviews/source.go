package interviews

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
)

// Format is a kind of input file.
type Format int

// Formats that import tells apart.
const (
	NDJSON Format = iota // event envelopes, one per line
	CSV                  // an interview sheet as comma-separated values
	XLSX                 // an interview sheet as an Excel workbook
)

func (f Format) String() string {
	return [...]string{"NDJSON", "CSV", "XLSX"}[f]
}

// Detect tells a file's format by its name's extension (.csv, .xlsx; .ndjson, .jsonl and .json are NDJSON), else
// by its first bytes: a ZIP archive is XLSX, a first line naming the columns worker, date and kind is CSV, and
// anything else is NDJSON, as import has always read it.
func Detect(name string, head []byte) Format {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv":
		return CSV
	case ".xlsx":
		return XLSX
	case ".ndjson", ".jsonl", ".json":
		return NDJSON
	}
	if bytes.HasPrefix(head, []byte("PK\x03\x04")) {
		return XLSX
	}
	first, _, _ := bytes.Cut(bytes.TrimPrefix(head, []byte("\ufeff")), []byte("\n"))
	names := map[string]bool{}
	for _, n := range strings.Split(string(first), ",") {
		names[columnKey(n)] = true
	}
	if names["worker"] && names["date"] && names["kind"] {
		return CSV
	}
	return NDJSON
}

// table is a sheet's rows: each with its number as the spreadsheet shows it (the header is row 1) and its cells.
type table struct {
	rows [][]string
	nums []int
	// serialDates is true for XLSX, whose date cells hold day numbers.
	serialDates bool
}

// maxRows bounds a sheet, so a hostile file cannot exhaust memory.
const maxRows = 1_000_000

// readCSV reads comma-separated values. Rows are numbered as a spreadsheet shows the file: a blank line is a
// row too, and a quoted cell holding line breaks stays in one row. A malformed file is a problem at its row.
func readCSV(r io.Reader) (*table, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	t := &table{}
	row, endLine := 0, 0
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return t, nil
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, Problems{{Row: row + 1 + max(pe.StartLine-endLine-1, 0), Problem: "not valid CSV: " + pe.Err.Error()}}
		}
		if err != nil {
			return nil, fmt.Errorf("read CSV: %w", err)
		}
		start, _ := cr.FieldPos(0)
		row += 1 + max(start-endLine-1, 0)
		last, _ := cr.FieldPos(len(rec) - 1)
		endLine = last + strings.Count(rec[len(rec)-1], "\n")
		if row > maxRows {
			return nil, Problems{{Row: row, Problem: fmt.Sprintf("more than %d rows; split the sheet", maxRows)}}
		}
		t.rows, t.nums = append(t.rows, rec), append(t.nums, row)
	}
}

// maxUnzipped bounds what a workbook may expand to, so a ZIP bomb is refused rather than filling the disk.
const maxUnzipped = 1 << 30
