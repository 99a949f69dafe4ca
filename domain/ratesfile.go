package domain

import (
	"cmp"
	"crypto/sha256"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// RatesFileOptions say whose rates a rates file holds.
type RatesFileOptions struct {
	// Source names the publisher ("ECB"); required. With the date it derives each table's rates_id and event id.
	Source string
	// Base is the base of a long-layout file without a base column (EUR when empty). The ECB layout is in EUR.
	Base string
}

// RatesFileError is one problem of a rates file, at a line and column (1-based; the column counts bytes).
type RatesFileError struct {
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Problem string `json:"problem"`
}

func (e RatesFileError) Error() string {
	return "line " + strconv.Itoa(e.Line) + ", column " + strconv.Itoa(e.Column) + ": " + e.Problem
}

// RatesFileErrors lists the problems of a rejected rates file (at most maxRatesFileErrors). It matches
// ErrInvalid.
type RatesFileErrors []RatesFileError

func (e RatesFileErrors) Error() string {
	parts := make([]string, len(e))
	for i, p := range e {
		parts[i] = p.Error()
	}
	return strings.Join(parts, "; ")
}

// Is reports whether target is ErrInvalid.
func (e RatesFileErrors) Is(target error) bool { return target == ErrInvalid }

// maxRatesFileErrors is how many problems a rejected file reports.
const maxRatesFileErrors = 20

// RatesTable is one date's table of a rates file: its ExchangeRatesPublished, and the line of the file that first
// gave its date, by which an importer names the table.
type RatesTable struct {
	Envelope
	Line int
}

// ParseRatesFile reads a table of exchange rates as comma-separated values and returns one
// ExchangeRatesPublished per date (a RatesTable, with the line of its date), in date order, each with an event id
// derived from the source and the date (so importing the file again adds nothing) and occurred_at at midnight UTC
// starting the date. Two layouts are read, told apart by the header:
//
//   - the ECB's historical file: a Date column, then one column per currency, base EUR, "N/A" (or nothing) for
//     a missing rate; a row with no rate at all is skipped (the ECB's daily file, dated "29 November 2024", too);
//   - a long layout, one rate per row: date,currency,rate[,base].
//
// A bad file is rejected whole: the error is RatesFileErrors, every problem with its line and column (a
// negative, zero or non-numeric rate, an unknown currency, a bad date, a date given twice for the source, a
// row of the wrong width). Other errors are those of r.
func ParseRatesFile(r io.Reader, opts RatesFileOptions) ([]RatesTable, error) {
	c := newChecker("")
	c.text("source", opts.Source)
	c.rateCurrency("base", cmp.Or(opts.Base, "EUR"))
	if err := c.err(); err != nil {
		return nil, fmt.Errorf("rates file options: %w", err)
	}
	p := &ratesParser{opts: opts, tables: map[string]*parsedTable{}}
	p.csv = csv.NewReader(r)
	p.csv.FieldsPerRecord = -1
	p.csv.ReuseRecord = true
	header, err := p.csv.Read()
	switch {
	case errors.Is(err, io.EOF):
		return nil, RatesFileErrors{{Line: 1, Column: 1, Problem: "empty file: a header row is required"}}
	case err != nil:
		return nil, p.readError(err)
	}
	header = slices.Clone(header)
	header[0] = strings.TrimPrefix(header[0], "\ufeff")
	if err := p.readRows(header); err != nil {
		return nil, err
	}
	if len(p.errs) > 0 {
		return nil, p.errs
	}
	return p.envelopes()
}

// ratesParser holds the tables read so far, by date, and the problems found.
type ratesParser struct {
	opts   RatesFileOptions
	csv    *csv.Reader
	tables map[string]*parsedTable
	errs   RatesFileErrors
	// longWidth is the long layout's number of columns: 3, or 4 with a base column.
	longWidth int
}

// parsedTable is one date's rates, with where they were read.
type parsedTable struct {
	date  string
	line  int
	base  string
	rates map[string]Rate
	lines map[string]int // currency -> line, for the long layout's duplicates
}

// fail records a problem; false once enough are recorded to stop reading.
func (p *ratesParser) fail(line, column int, problem string) bool {
	p.errs = append(p.errs, RatesFileError{Line: line, Column: column, Problem: problem})
	return len(p.errs) < maxRatesFileErrors
}

// readError turns an error of the CSV reader into the file's error.
func (p *ratesParser) readError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		p.fail(pe.Line, pe.Column, "malformed CSV: "+pe.Err.Error())
		return p.errs
	}
	return fmt.Errorf("read rates file: %w", err)
}

// readRows reads every row after the header with the layout the header names.
func (p *ratesParser) readRows(header []string) error {
	row := p.wideRow
	cols, ok := p.wideHeader(header)
	if !ok {
		if !p.longHeader(header) {
			return p.errs
		}
		row = p.longRow
	}
	for {
		rec, err := p.csv.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return p.readError(err)
		}
		if !row(rec, cols) {
			return nil
		}
	}
}

// pos is the line and column of field i of the row just read.
func (p *ratesParser) pos(i int) (int, int) { return p.csv.FieldPos(i) }

// ecbDailyDate is how the ECB's daily file (eurofxref.csv) writes its date: "29 November 2024".
const ecbDailyDate = "2 January 2006"

// checkDate reads a date cell, YYYY-MM-DD (or the ECB daily file's "29 November 2024"), years 1900-2199, and
// returns it as YYYY-MM-DD.
func (p *ratesParser) checkDate(rec []string, i int) (string, bool) {
	s := strings.TrimSpace(rec[i])
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		t, err = time.Parse(ecbDailyDate, s)
	}
	if err != nil || t.Year() < 1900 || t.Year() > 2199 {
		line, col := p.pos(i)
		p.fail(line, col, "bad date "+strconv.Quote(s)+" (want YYYY-MM-DD, years 1900-2199)")
		return "", false
	}
	return t.Format(time.DateOnly), true
}

// checkRate reads a rate cell.
func (p *ratesParser) checkRate(rec []string, i int, currency string) (Rate, bool) {
	s := strings.TrimSpace(rec[i])
	if prob := rateProblem(s); prob != "" {
		line, col := p.pos(i)
		p.fail(line, col, "rate of "+currency+" "+strconv.Quote(s)+": "+prob)
		return "", false
	}
	return Rate(s), true
}

// checkCurrency reads a currency cell.
func (p *ratesParser) checkCurrency(rec []string, i int) (string, bool) {
	s := strings.TrimSpace(rec[i])
	if !IsRateCurrency(s) {
		line, col := p.pos(i)
		p.fail(line, col, "unknown currency "+strconv.Quote(s)+" (want an ISO 4217 code in upper case)")
		return "", false
	}
	return s, true
}

// table returns the date's table, creating it for a row at line; ok is false for a date already given by
// an earlier row of the ECB layout, where each date has one row.
func (p *ratesParser) table(date, base string, line int, oneRowPerDate bool) (*parsedTable, bool) {
	if t, seen := p.tables[date]; seen {
		if oneRowPerDate {
			_, col := p.pos(0)
			p.fail(line, col, "duplicate date "+date+" for source "+p.opts.Source+" (first at line "+strconv.Itoa(t.line)+")")
			return nil, false
		}
		return t, true
	}
	t := &parsedTable{date: date, line: line, base: base, rates: map[string]Rate{}, lines: map[string]int{}}
	p.tables[date] = t
	return t, true
}

// envelopes turns the tables into events in date order, each validated.
func (p *ratesParser) envelopes() ([]RatesTable, error) {
	dates := make([]string, 0, len(p.tables))
	for d, t := range p.tables {
		if len(t.rates) > 0 {
			dates = append(dates, d)
		}
	}
	slices.Sort(dates)
	out := make([]RatesTable, 0, len(dates))
	for _, d := range dates {
		t := p.tables[d]
		e := &ExchangeRatesPublished{RatesID: RatesID(p.opts.Source, d), Source: p.opts.Source, Base: t.base, Date: d,
			Rates: t.rates}
		if err := Validate(e); err != nil {
			p.fail(t.line, 1, err.Error())
			continue
		}
		day, _ := time.Parse(time.DateOnly, d)
		out = append(out, RatesTable{Envelope: Envelope{EventID: RatesEventID(p.opts.Source, d),
			Type: TypeExchangeRatesPublished, OccurredAt: day, Event: e}, Line: t.line})
	}
	if len(p.errs) > 0 {
		return nil, p.errs
	}
	return out, nil
}

// RatesID is the rates_id of a source's table for a date: the source in lower case with every run of other
// characters than letters and digits made one '-', then the date ("ECB", "2024-01-02" gives
// "ecb-2024-01-02"). A source with no letter or digit is named by a hash of it.
func RatesID(source, date string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(source) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		} else {
			dash = true
		}
	}
	slug := b.String()
	if len(slug) > 100 {
		slug = slug[:100]
	}
	if slug == "" {
		slug = fmt.Sprintf("source-%x", sha256.Sum256([]byte(source)))[:19]
	}
	return slug + "-" + date
}

// RatesEventID is the event id of a source's table for a date: a UUID (version 8, RFC 9562) from the SHA-256
// of the exact source and the date, so the same table imported twice is stored once.
func RatesEventID(source, date string) EventID {
	sum := sha256.Sum256([]byte("fairtrail ExchangeRatesPublished\x00" + source + "\x00" + date))
	var id EventID
	copy(id[:], sum[:16])
	id[6] = id[6]&0x0f | 0x80
	id[8] = id[8]&0x3f | 0x80
	return id
}
