package console

import (
	"html"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
)

// pseudo writes a catalogue string in a pseudo-language: every letter outside a printf verb swapped for an
// accented one, the whole between ⟦ and ⟧. A page rendered in it shows, outside the brackets, only data.
func pseudo(s string) string {
	const from, to = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", "àƀçđéƒĝĥíĵķĺɱñöþʠŕšťúʋŵẋýžÀƁÇĐÉƑĜĤÍĴĶĹṀÑÖÞǪŔŠŤÚṼŴẊÝŽ"
	swap := map[rune]rune{}
	tr := []rune(to)
	for i, r := range from {
		swap[r] = tr[i]
	}
	var b strings.Builder
	b.WriteString("⟦")
	verb := false
	for _, r := range s {
		switch {
		case r == '%':
			verb = !verb
		case verb && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'):
			verb = false
		case !verb:
			if a, ok := swap[r]; ok {
				r = a
			}
		}
		b.WriteRune(r)
	}
	b.WriteString("⟧")
	return b.String()
}

// TestPseudoLocaleLeavesNoEnglish renders every worker page in the pseudo-language and finds no text, and no
// attribute a person reads, outside the brackets but the record's own data: every string on the pages goes
// through the catalogue, so a translation covers all of it.
func TestPseudoLocaleLeavesNoEnglish(t *testing.T) {
	t.Parallel()
	tag := language.MustParse("en-XA")
	b := catalog.NewBuilder()
	for k, v := range workerEnglish {
		if err := b.SetString(tag, k, pseudo(v)); err != nil {
			t.Fatal(err)
		}
	}
	fw := &fakeWorkers{languages: []string{"en"}}
	con := newWorkerConsole(t, fw)
	con.printerFor = func(workerLang) *message.Printer { return message.NewPrinter(tag, message.Catalog(b)) }
	ck, csrf := linkSession(t, con)
	pages := map[string]string{
		"record": get(con, "/w/"+goodSecret+"?reported=1", nil).Body.String(),
		"report": get(con, "/w/"+goodSecret+"/report", nil).Body.String(),
		"report refused": postReport(con, goodSecret, ck, with(with(with(nil, "csrf", csrf), "kind", "fee_not_recorded"),
			"amount", "x")).Body.String(),
		"closed": get(con, "/w/nope", nil).Body.String(),
	}
	// The record's data, which no catalogue translates: ids, amounts, dates, codes, the language names.
	data := regexp.MustCompile(`(?i)\b(w-1|jo-1|emp-1|ag-1|c-1|c-2|welder|penang|housing|MYR|NPR|MY|en|ne|bn|hi|id|tl|` +
		`English|Bahasa Indonesia|Tagalog|fee_not_recorded|[0-9a-f]{64})\b|[0-9][0-9,.\-]*`)
	for name, page := range pages {
		if !strings.Contains(page, "⟦") {
			t.Fatalf("%s: not rendered in the pseudo-language", name)
		}
		for _, text := range readable(page) {
			rest := regexp.MustCompile(`⟦[^⟧]*⟧`).ReplaceAllString(text, " ")
			rest = data.ReplaceAllString(rest, " ")
			if regexp.MustCompile(`[A-Za-z]{2,}`).MatchString(rest) {
				t.Errorf("%s: text outside the catalogue: %q (in %q)", name, strings.TrimSpace(rest), text)
			}
		}
	}
}

// readable returns a page's text nodes and the attributes people read (alt, aria-label, title, placeholder),
// without the head's scripts and styles (the page has none) or the CSS link.
func readable(page string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`(?:alt|aria-label|title|placeholder)="([^"]*)"`).FindAllStringSubmatch(page, -1) {
		out = append(out, html.UnescapeString(m[1]))
	}
	for _, m := range regexp.MustCompile(`>([^<]+)<`).FindAllStringSubmatch(page, -1) {
		if s := strings.TrimSpace(html.UnescapeString(m[1])); s != "" {
			out = append(out, s)
		}
	}
	return out
}
