package interviews

import (
	"strconv"
	"strings"
)

// Column names of the layout (see the package documentation).
const (
	colWorker   = "worker"
	colDate     = "date"
	colKind     = "kind"
	colCategory = "category"
	colAmount   = "amount"
	colCurrency = "currency"
	colPayee    = "payee"
	colPaidOn   = "paid_on"
	colMethod   = "method"
	colTerm     = "term"
	colPromised = "promised"
	colActual   = "actual"
	colDocument = "document"
	colHeldBy   = "held_by"
	colChannel  = "channel"
	colLanguage = "language"
	colNote     = "note"
	colReportID = "report_id"
)

// Columns lists the layout's columns in the template's order.
var Columns = []string{colWorker, colDate, colKind, colCategory, colAmount, colCurrency, colPayee, colPaidOn,
	colMethod, colTerm, colPromised, colActual, colDocument, colHeldBy, colChannel, colLanguage, colNote, colReportID}

// required are the columns every sheet must have.
var required = []string{colWorker, colDate, colKind}

// aliases are other names a header may use for a column.
var aliases = map[string]string{"worker_id": colWorker, "payee_id": colPayee, "note_text": colNote}

// fieldColumns maps the JSON paths of a WorkerReported's validation errors to the columns they come from.
var fieldColumns = map[string]string{
	"occurred_at":                 colDate,
	"data.worker_id":              colWorker,
	"data.report_id":              colReportID,
	"data.kind":                   colKind,
	"data.channel":                colChannel,
	"data.language":               colLanguage,
	"data.fee.category":           colCategory,
	"data.fee.amount.amount":      colAmount,
	"data.fee.amount.currency":    colCurrency,
	"data.fee.payee_id":           colPayee,
	"data.fee.paid_on":            colPaidOn,
	"data.fee.method":             colMethod,
	"data.contract_term.term":     colTerm,
	"data.contract_term.actual":   colActual,
	"data.contract_term.promised": colPromised,
	"data.document.document":      colDocument,
	"data.document.held_by":       colHeldBy,
	"data.note_sha256":            colNote,
}

// columnKey is a header cell as a column name: trimmed, lower case, spaces and hyphens as underscores.
func columnKey(h string) string {
	k := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
	k = strings.NewReplacer(" ", "_", "-", "_").Replace(k)
	if a, ok := aliases[k]; ok {
		return a
	}
	return k
}

// header is a sheet's header: the cell index of each column, and each index's column name.
type header struct {
	at    map[string]int
	names []string
}

// readHeader reads row 1. Unknown names (a misspelt column would be ignored silently), a column given twice
// and a missing required column are problems.
func readHeader(cells []string) (header, Problems) {
	h := header{at: map[string]int{}, names: make([]string, len(cells))}
	var probs Problems
	known := map[string]bool{}
	for _, c := range Columns {
		known[c] = true
	}
	for i, cell := range cells {
		k := columnKey(cell)
		switch {
		case k == "":
			continue
		case !known[k]:
			probs = append(probs, Problem{Row: 1, Column: colLetter(i), Problem: strconv.Quote(strings.TrimSpace(cell)) +
				" is not a column of the interview layout (" + strings.Join(Columns, ", ") + ")"})
		case h.has(k):
			probs = append(probs, Problem{Row: 1, Column: colLetter(i), Problem: "column " + k + " is given twice (first in column " +
				colLetter(h.at[k]) + ")"})
		default:
			h.at[k], h.names[i] = i, k
		}
	}
	for _, r := range required {
		if !h.has(r) {
			probs = append(probs, Problem{Row: 1, Problem: "missing column " + r + " (every sheet has worker, date and kind)"})
		}
	}
	return h, probs
}

func (h header) has(col string) bool { _, ok := h.at[col]; return ok }

// cell is a row's value in a column, trimmed; "" when the column is absent or the row is short.
func (h header) cell(row []string, col string) string {
	i, ok := h.at[col]
	if !ok || i >= len(row) {
		return ""
	}
	return strings.TrimSpace(row[i])
}

// letter is the column letter of a column of the layout, "" when the sheet lacks it.
func (h header) letter(col string) string {
	i, ok := h.at[col]
	if !ok {
		return ""
	}
	return colLetter(i)
}

// colLetter is the spreadsheet letter of a 0-based column index: A, B, ..., Z, AA.
func colLetter(i int) string {
	name := ""
	for n := i + 1; n > 0; n = (n - 1) / 26 {
		name = string(rune('A'+(n-1)%26)) + name
	}
	return name
}
