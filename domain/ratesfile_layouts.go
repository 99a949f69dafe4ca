package domain

import (
	"cmp"
	"strconv"
	"strings"
)

// notPublished are the cells of the ECB layout that mean no rate that day.
func notPublished(s string) bool { return s == "" || strings.EqualFold(s, "N/A") }

// wideHeader reads the ECB layout's header: Date, then currency codes; a last empty column (the ECB file ends
// every row with a comma) is ignored. False, with no problem recorded, when the header is not of this layout.
func (p *ratesParser) wideHeader(header []string) ([]string, bool) {
	if !strings.EqualFold(strings.TrimSpace(header[0]), "Date") || len(header) < 2 ||
		len(header) >= 3 && strings.EqualFold(strings.TrimSpace(header[1]), "currency") {
		return nil, false
	}
	cols := make([]string, len(header))
	seen := map[string]int{}
	for i := 1; i < len(header); i++ {
		name := strings.TrimSpace(header[i])
		line, col := p.pos(i)
		if name == "" && i == len(header)-1 && i > 1 {
			continue
		}
		cur, ok := p.checkCurrency(header, i)
		if !ok {
			continue
		}
		if first, dup := seen[cur]; dup {
			p.fail(line, col, "currency "+cur+" has two columns (first at column "+strconv.Itoa(first)+")")
			continue
		}
		seen[cur], cols[i] = col, cur
	}
	return cols, true
}

// wideRow reads one row of the ECB layout; false to stop reading.
func (p *ratesParser) wideRow(rec []string, cols []string) bool {
	line, _ := p.pos(0)
	if len(rec) != len(cols) {
		_, col := p.pos(len(rec) - 1)
		return p.fail(line, col, "the row has "+strconv.Itoa(len(rec))+" cells, the header "+strconv.Itoa(len(cols)))
	}
	date, ok := p.checkDate(rec, 0)
	if !ok {
		return len(p.errs) < maxRatesFileErrors
	}
	t, ok := p.table(date, "EUR", line, true)
	if !ok {
		return len(p.errs) < maxRatesFileErrors
	}
	for i := 1; i < len(rec); i++ {
		cell := strings.TrimSpace(rec[i])
		if cols[i] == "" {
			if cell != "" {
				_, col := p.pos(i)
				p.fail(line, col, "a rate under no currency")
			}
			continue
		}
		if notPublished(cell) {
			continue
		}
		if r, ok := p.checkRate(rec, i, cols[i]); ok {
			t.rates[cols[i]] = r
		}
	}
	return len(p.errs) < maxRatesFileErrors
}

// longHeader reads the long layout's header: date,currency,rate[,base]. Anything else is a problem at line 1.
func (p *ratesParser) longHeader(header []string) bool {
	names := make([]string, len(header))
	for i, h := range header {
		names[i] = strings.ToLower(strings.TrimSpace(h))
	}
	got := strings.Join(names, ",")
	if got == "date,currency,rate" || got == "date,currency,rate,base" {
		p.longWidth = len(header)
		return true
	}
	p.fail(1, 1, "unknown layout: the header must be Date then currency codes (the ECB's historical file), "+
		"or date,currency,rate[,base]; got "+strconv.Quote(strings.Join(header, ",")))
	return false
}

// longRow reads one row of the long layout; false to stop reading.
func (p *ratesParser) longRow(rec []string, _ []string) bool {
	line, _ := p.pos(0)
	want := 3
	if p.hasBaseColumn() {
		want = 4
	}
	if len(rec) != want {
		_, col := p.pos(len(rec) - 1)
		return p.fail(line, col, "the row has "+strconv.Itoa(len(rec))+" cells, the header "+strconv.Itoa(want))
	}
	date, okDate := p.checkDate(rec, 0)
	cur, okCur := p.checkCurrency(rec, 1)
	rate, okRate := p.checkRate(rec, 2, strings.TrimSpace(rec[1]))
	base, okBase := cmp.Or(p.opts.Base, "EUR"), true
	if want == 4 {
		base, okBase = p.checkCurrency(rec, 3)
	}
	if !okDate || !okCur || !okRate || !okBase {
		return len(p.errs) < maxRatesFileErrors
	}
	t, _ := p.table(date, base, line, false)
	switch first, dup := t.lines[cur]; {
	case t.base != base:
		_, col := p.pos(3)
		return p.fail(line, col, "base "+base+" differs from "+t.base+", given for "+date+" at line "+strconv.Itoa(t.line)+
			" (one table per date and source)")
	case dup:
		_, col := p.pos(0)
		return p.fail(line, col, "duplicate date "+date+" for currency "+cur+" and source "+p.opts.Source+
			" (first at line "+strconv.Itoa(first)+")")
	}
	t.rates[cur], t.lines[cur] = rate, line
	return len(p.errs) < maxRatesFileErrors
}

// hasBaseColumn reports whether the long layout's header has the base column.
func (p *ratesParser) hasBaseColumn() bool { return p.longWidth == 4 }
