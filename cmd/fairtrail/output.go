package main

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"strings"
	"time"

	"github.com/fairtrail/fairtrail/domain"
)

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func writeCSV(w io.Writer, rows [][]string) error {
	cw := csv.NewWriter(w)
	if err := cw.WriteAll(rows); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// moneyText writes amounts for people, "120.00 MYR, 5000.00 NPR", in tables and messages (CSV gives amount and
// currency columns instead).
func moneyText(ms []domain.Money) string {
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = string(m.Amount) + " " + m.Currency
	}
	return strings.Join(parts, listSep)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func when(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// whenShort is a time in tables, to the minute, UTC; JSON and CSV give it in full.
func whenShort(t time.Time) string { return t.UTC().Format("2006-01-02 15:04") }
