package console

import (
	"strings"
	"time"

	"golang.org/x/text/message"

	"github.com/fairtrail/fairtrail/api"
	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
)

// recordPage is the data of the worker's own page: every sentence already in the page's language, built
// from the worker's report as projections judged it (the contract differences are projections.Compare's).
type recordPage struct {
	Promised  []termLine // empty when no job offer is recorded
	Contracts []contractText
	Fees      []feeText
	FeeTotal  string // "" when the worker paid nothing
	Documents []docText
	Reports   []reportText
	Records   []recordText
	Reported  bool // a report was just recorded
}

// termLine is one promised term: a label (a catalogue key) and its value.
type termLine struct{ Label, Value string }

// contractText is one contract and how it differs from what was promised, in plain words.
type contractText struct {
	Heading, Stage string
	Compared       string   // what it is compared with; "" for the baseline
	Differences    []string // empty: nothing worse than promised
	Shortfall      string
	Receipt        *api.Receipt
}

// feeText is a fee the worker paid, what is owed back and by when.
type feeText struct {
	Paid, Owed, Back string
	Receipt          *api.Receipt
}

// docText is a document of the worker held by someone else.
type docText struct {
	Held, Returned string
	Receipt        *api.Receipt
}

// reportText is a report of the worker's and whether it was answered.
type reportText struct {
	Said, Status string
	Receipt      *api.Receipt
}

// recordText is one record of the worker's with its receipt.
type recordText struct {
	What    string
	Receipt *api.Receipt
}

// wordsOf turns the worker's own record into the page's sentences.
func wordsOf(p *message.Printer, own *api.OwnRecord) recordPage {
	w := worded{p: p, receipts: own.Receipts}
	rep := own.Report
	d := recordPage{Promised: w.promised(own.Promised)}
	for _, c := range rep.Contracts {
		d.Contracts = append(d.Contracts, w.contract(c))
	}
	for _, f := range rep.Fees {
		if f.Payer == domain.PayerWorker {
			d.Fees = append(d.Fees, w.fee(f))
		}
	}
	if len(rep.Totals.WorkerPaid) > 0 {
		d.FeeTotal = p.Sprintf("w.fee.total", w.monies(rep.Totals.WorkerPaid), w.monies(rep.Totals.Reimbursed),
			w.monies(rep.Totals.Outstanding))
	}
	for _, doc := range rep.Documents {
		t := docText{Held: p.Sprintf("w.doc", w.key("w.doc.", doc.Document, "other"), doc.HeldBy, day(doc.Since)),
			Receipt: w.receipt(doc.EventID)}
		if doc.ReturnedAt != nil {
			t.Returned = p.Sprintf("w.doc.back", day(*doc.ReturnedAt))
		}
		d.Documents = append(d.Documents, t)
	}
	for _, r := range rep.Reports {
		t := reportText{Said: p.Sprintf("w.reported", day(r.At), w.key("w.kind.", r.Kind, "other")),
			Status: p.Sprintf("w.report.open"), Receipt: w.receipt(r.EventID)}
		if r.Resolution != nil {
			t.Status = w.key("w.outcome.", r.Resolution.Outcome, "substantiated")
		}
		d.Reports = append(d.Reports, t)
	}
	for _, e := range rep.Timeline {
		d.Records = append(d.Records, recordText{What: p.Sprintf("w.record", w.key("w.type.", e.Type, "other"),
			day(e.OccurredAt)), Receipt: w.receipt(e.EventID)})
	}
	return d
}

// worded writes values in the page's language.
type worded struct {
	p        *message.Printer
	receipts map[string]api.Receipt
}

// key translates prefix+v, or prefix+fallback for a value the catalogue does not know.
func (w worded) key(prefix, v, fallback string) string {
	if _, ok := workerEnglish[prefix+v]; ok {
		return w.p.Sprintf(prefix + v)
	}
	return w.p.Sprintf(prefix + fallback)
}

func (w worded) receipt(eventID string) *api.Receipt {
	if rc, ok := w.receipts[eventID]; ok {
		return &rc
	}
	return nil
}

func (w worded) monies(ms []domain.Money) string {
	if len(ms) == 0 {
		return w.p.Sprintf("w.none")
	}
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = amountText(m.Amount, m.Currency)
	}
	return strings.Join(parts, ", ")
}

func (w worded) promised(t *domain.Terms) []termLine {
	if t == nil {
		return nil
	}
	out := []termLine{
		{"w.term.position", t.Position},
		{"w.term.employer", t.EmployerID},
		{"w.term.wage", amountText(domain.Amount(domain.FormatAmount(t.MonthlyWage(2))), t.Wage.Currency)},
		{"w.term.hours", w.p.Sprintf("%d", t.Hours())},
		{"w.term.rest", w.p.Sprintf("%d", t.RestDays())},
		{"w.term.duration", w.p.Sprintf("w.term.months", t.Duration())},
		{"w.term.worksite", place(t.Worksite)},
		{"w.term.deductions", w.deductions(t.Deductions)},
	}
	if len(t.Benefits) > 0 {
		out = append(out, termLine{"w.term.benefits", strings.Join(t.Benefits, ", ")})
	}
	return out
}

func (w worded) deductions(ds []domain.Deduction) string {
	if len(ds) == 0 {
		return w.p.Sprintf("w.none")
	}
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = w.p.Sprintf("w.deduction", d.Kind, w.p.Sprintf("w.per."+perOr(d.Per), amountText(d.Amount, d.Currency)))
	}
	return strings.Join(parts, "; ")
}

// amounts writes deductions of one kind by their amounts alone ("110 AED a month").
func (w worded) amounts(ds []domain.Deduction) string {
	if len(ds) == 0 {
		return w.p.Sprintf("w.none")
	}
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = w.p.Sprintf("w.per."+perOr(d.Per), amountText(d.Amount, d.Currency))
	}
	return strings.Join(parts, "; ")
}

func perOr(per string) string {
	switch per {
	case domain.PerHour, domain.PerDay, domain.PerWeek, domain.PerMonth:
		return per
	}
	return domain.PerMonth
}

func (w worded) contract(c projections.ContractReport) contractText {
	t := contractText{Heading: w.p.Sprintf("w.contract", c.ContractID, day(c.SignedAt)),
		Stage: w.p.Sprintf("w.stage", w.key("w.stage.", c.Stage, "renewal")), Receipt: w.receipt(c.EventID)}
	switch {
	case strings.HasPrefix(c.ComparedWith, "job order"):
		t.Compared = w.p.Sprintf("w.contract.vsjob")
	case strings.HasPrefix(c.ComparedWith, "contract "):
		t.Compared = w.p.Sprintf("w.contract.vsearlier", strings.TrimPrefix(c.ComparedWith, "contract "))
	}
	for _, ch := range c.Changes {
		t.Differences = append(t.Differences, w.difference(ch))
	}
	if c.WageShortfall != nil {
		t.Shortfall = w.p.Sprintf("w.contract.short", amountText(c.WageShortfall.Amount, c.WageShortfall.Currency))
	}
	return t
}

// difference says one change for the worse as "yours is X; you were promised Y".
func (w worded) difference(ch projections.Change) string {
	switch ch.Term {
	case "wage":
		before, _ := ch.Before.(projections.WageView)
		after, _ := ch.After.(projections.WageView)
		return w.p.Sprintf("w.diff.wage", amountText(after.MonthlyEquivalent, after.Currency),
			amountText(before.MonthlyEquivalent, before.Currency))
	case "hours_per_week":
		return w.p.Sprintf("w.diff.hours", ch.After, ch.Before)
	case "rest_days_per_week":
		return w.p.Sprintf("w.diff.rest", ch.After, ch.Before)
	case "duration_months":
		return w.p.Sprintf("w.diff.duration", ch.After, ch.Before)
	case "position":
		return w.p.Sprintf("w.diff.position", ch.After, ch.Before)
	case "employer_id":
		return w.p.Sprintf("w.diff.employer", ch.After, ch.Before)
	case "worksite":
		before, _ := ch.Before.(domain.Worksite)
		after, _ := ch.After.(domain.Worksite)
		return w.p.Sprintf("w.diff.worksite", place(after), place(before))
	}
	if kind, ok := strings.CutPrefix(ch.Term, "deductions."); ok {
		before, _ := ch.Before.([]domain.Deduction)
		after, _ := ch.After.([]domain.Deduction)
		return w.p.Sprintf("w.diff.deduction", kind, w.amounts(after), w.amounts(before))
	}
	return w.p.Sprintf("w.diff.other", ch.Term)
}

func (w worded) fee(f *projections.FeeLine) feeText {
	t := feeText{Paid: w.p.Sprintf("w.fee", amountText(f.Amount.Amount, f.Amount.Currency), w.key("w.cat.", f.Category, "other"),
		f.PayeeID, day(f.At)), Receipt: w.receipt(f.EventID)}
	if f.Owed != nil {
		owed := amountText(f.Owed.Amount, f.Owed.Currency)
		if f.Deadline != nil {
			t.Owed = w.p.Sprintf("w.fee.owed", owed, day(*f.Deadline))
		} else {
			t.Owed = w.p.Sprintf("w.fee.owednodue", owed)
		}
	}
	if f.Reimbursed != nil {
		t.Back = w.p.Sprintf("w.fee.back", amountText(f.Reimbursed.Amount, f.Reimbursed.Currency))
	}
	return t
}

// day writes a date as ISO 8601, which reads the same in every language of the pages.
func day(t time.Time) string { return t.UTC().Format("2006-01-02") }

// place writes a worksite as "City, CC".
func place(w domain.Worksite) string {
	if w.City == "" {
		return w.Country
	}
	return w.City + ", " + w.Country
}

// amountText writes an amount for people: thousands grouped with commas, a fraction of zeros dropped, and the
// currency after it ("1,200 MYR"). The amount stays a decimal string: it is never a float.
func amountText(a domain.Amount, currency string) string {
	s := string(a)
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, frac, _ := strings.Cut(s, ".")
	if strings.Trim(frac, "0") == "" {
		frac = ""
	}
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	out := sign + b.String()
	if frac != "" {
		out += "." + frac
	}
	return strings.TrimSpace(out + " " + currency)
}
