package interviews

import (
	"cmp"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/fairtrail/fairtrail/domain"
)

// Options say what a sheet leaves out.
type Options struct {
	// Language is the language of rows with no language cell (ISO 639-1); empty requires the cell.
	Language string
}

// Finding is one row of a sheet as the event it records, with its note's text ("" for none).
type Finding struct {
	Row  int
	Env  domain.Envelope
	Note string
	// workerColumn is the letter of the sheet's worker column, for problems found against the store.
	workerColumn string
}

// Problem is one bad cell (or, with no Column, a bad row or header) of a sheet.
type Problem struct {
	Row int `json:"row"`
	// Column is the spreadsheet's column letter; "" for a column that is missing or a row as a whole.
	Column  string `json:"column,omitempty"`
	Problem string `json:"problem"`
}

func (p Problem) Error() string {
	if p.Column == "" {
		return "row " + strconv.Itoa(p.Row) + ": " + p.Problem
	}
	return "row " + strconv.Itoa(p.Row) + ", column " + p.Column + ": " + p.Problem
}

// Problems lists every problem of a rejected sheet, in row order. It matches domain.ErrInvalid.
type Problems []Problem

func (ps Problems) Error() string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = p.Error()
	}
	return strings.Join(parts, "; ")
}

// Is reports whether target is domain.ErrInvalid.
func (ps Problems) Is(target error) bool { return target == domain.ErrInvalid }

// Parse reads a whole sheet (CSV or XLSX) and returns its findings in row order. A sheet with any bad cell is
// rejected whole: the error is Problems, every bad cell with its row and column. Other errors are r's.
func Parse(f Format, r io.Reader, opts Options) ([]Finding, error) {
	var t *table
	var err error
	switch f {
	case CSV:
		t, err = readCSV(r)
	case XLSX:
		t, err = readXLSX(r)
	default:
		return nil, fmt.Errorf("interviews: %s is not a sheet format", f)
	}
	if err != nil {
		return nil, err
	}
	if opts.Language != "" && !domain.IsLanguage(opts.Language) {
		return nil, fmt.Errorf("%w: language %q is not an ISO 639-1 code", domain.ErrInvalid, opts.Language)
	}
	return parseTable(t, opts)
}

// parseTable checks the header, then every row.
func parseTable(t *table, opts Options) ([]Finding, error) {
	if len(t.rows) == 0 {
		return nil, Problems{{Row: 1, Problem: "empty sheet: a header row is required (" + strings.Join(Columns, ", ") + ")"}}
	}
	h, probs := readHeader(t.rows[0])
	if len(probs) > 0 {
		return nil, probs
	}
	p := &rowParser{h: h, opts: opts, serialDates: t.serialDates, seen: map[string]int{}}
	var out []Finding
	for i := 1; i < len(t.rows); i++ {
		if blank(t.rows[i]) {
			continue
		}
		fd, bad := p.row(t.rows[i], t.nums[i])
		probs = append(probs, bad...)
		if len(bad) == 0 {
			out = append(out, fd)
		}
	}
	if len(probs) > 0 {
		return nil, probs
	}
	return out, nil
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// rowParser turns rows into findings; seen counts identical rows, so that each gets its own ids.
type rowParser struct {
	h           header
	opts        Options
	serialDates bool
	seen        map[string]int
}

// cellProblem is a problem of the cell of col in row n.
func (p *rowParser) cellProblem(n int, col, problem string) Problem {
	return Problem{Row: n, Column: p.h.letter(col), Problem: col + ": " + problem}
}

// dateCell reads a date column: 2025-03-04 or an RFC 3339 date-time, or in XLSX a date cell (a day number).
func (p *rowParser) dateCell(v string) (domain.Date, bool) {
	if p.serialDates {
		if serial, err := strconv.ParseFloat(v, 64); err == nil && serial > 0 && serial < 2958466 {
			t := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).Add(time.Duration(serial * 24 * float64(time.Hour)))
			t = t.Round(time.Second)
			return domain.Date{Time: t, DayOnly: t.Equal(t.Truncate(24 * time.Hour))}, true
		}
	}
	d, err := domain.ParseDate(v)
	return d, err == nil
}

// dateText is a date cell as the event's date field keeps it.
func dateText(d domain.Date) string {
	if d.DayOnly {
		return d.Format(time.DateOnly)
	}
	return d.Format(time.RFC3339Nano)
}

// occurredAt reads the date column.
func (p *rowParser) occurredAt(row []string, n int) (time.Time, *Problem) {
	v := p.h.cell(row, colDate)
	if v == "" {
		pr := p.cellProblem(n, colDate, "required (the day of the interview, e.g. 2025-03-04)")
		return time.Time{}, &pr
	}
	d, ok := p.dateCell(v)
	switch {
	case !ok:
		pr := p.cellProblem(n, colDate, strconv.Quote(v)+" is not a date (2025-03-04, or an RFC 3339 date-time)")
		return time.Time{}, &pr
	case d.Year() < 1900 || d.Year() > 2199:
		pr := p.cellProblem(n, colDate, strconv.Quote(v)+": year outside 1900-2199")
		return time.Time{}, &pr
	}
	return d.UTC(), nil
}

// report builds the row's WorkerReported from its cells, before the derived report_id and the note's hash.
func (p *rowParser) report(row []string) *domain.WorkerReported {
	c := func(col string) string { return p.h.cell(row, col) }
	e := &domain.WorkerReported{WorkerID: c(colWorker), Kind: c(colKind), ReportID: c(colReportID),
		Channel: cmp.Or(c(colChannel), domain.ChannelInterview), Language: cmp.Or(c(colLanguage), p.opts.Language)}
	if c(colCategory)+c(colAmount)+c(colCurrency)+c(colPayee)+c(colPaidOn)+c(colMethod) != "" {
		e.Fee = &domain.ReportedFee{Category: c(colCategory), Amount: domain.Money{Amount: domain.Amount(c(colAmount)),
			Currency: c(colCurrency)}, PayeeID: c(colPayee), PaidOn: p.paidOn(c(colPaidOn)), Method: c(colMethod)}
	}
	if c(colTerm)+c(colPromised)+c(colActual) != "" {
		e.ContractTerm = &domain.ReportedTerm{Term: c(colTerm), Promised: c(colPromised), Actual: c(colActual)}
	}
	if c(colDocument)+c(colHeldBy) != "" {
		e.Document = &domain.ReportedDocument{Document: c(colDocument), HeldBy: c(colHeldBy)}
	}
	return e
}

// paidOn is a paid_on cell as a date text: an XLSX date cell becomes 2025-03-04; anything else is kept for
// the domain's check.
func (p *rowParser) paidOn(v string) string {
	if v == "" || !p.serialDates {
		return v
	}
	if _, err := strconv.ParseFloat(v, 64); err != nil {
		return v
	}
	if d, ok := p.dateCell(v); ok {
		return dateText(d)
	}
	return v
}
