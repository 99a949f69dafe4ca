package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"text/tabwriter"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections/query"
)

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// writeJSONArray writes the JSON values list yields (compact, no HTML escaping) as writeJSON writes the
// array of them, one at a time.
func writeJSONArray(w io.Writer, list func(fn func(string) error) error) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	n := 0
	var buf bytes.Buffer
	err := list(func(text string) error {
		sep := ",\n  "
		if n == 0 {
			sep = "[\n  "
		}
		n++
		buf.Reset()
		if err := json.Indent(&buf, []byte(text), "  ", "  "); err != nil {
			return err
		}
		bw.WriteString(sep)
		_, err := bw.Write(buf.Bytes())
		return err
	})
	if err != nil {
		return err
	}
	if n == 0 {
		bw.WriteString("[]\n")
	} else {
		bw.WriteString("\n]\n")
	}
	return bw.Flush()
}

func newTable(w io.Writer) *tabwriter.Writer { return tabwriter.NewWriter(w, 2, 4, 2, ' ', 0) }

func writeCSV(w io.Writer, rows [][]string) error {
	cw := csv.NewWriter(w)
	if err := cw.WriteAll(rows); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

func moneyText(ms []domain.Money) string { return query.MoneyText(ms) }

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func when(t time.Time) string { return query.When(t) }
