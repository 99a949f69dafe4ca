package projections

import "github.com/fairtrail/fairtrail/domain"

// decodeStoredRates decodes a stored ExchangeRatesPublished written as the domain encodes it: an object of its
// five keys in their order, each a string but rates, an object of strings, with no space, escape, control or
// non-ASCII byte, so that each string is its bytes. False for any other text, which goccy/go-json decodes
// instead (decodeStored). A context snapshot holds a table a weekday of the programme (783 of them in the
// generated programme), which every cold query decodes: by goccy/go-json about 10 µs a table, most of it in
// its generic map and string decoding; here a table costs one string and its map, made at its size
// (FuzzDecodeStoredRates holds the two decoders to the same values).
func decodeStoredRates(data []byte) (*domain.ExchangeRatesPublished, bool) {
	p := ratesParser{s: string(data)}
	e := &domain.ExchangeRatesPublished{}
	ok := p.lit(`{"base":`) && p.str(&e.Base) && p.lit(`,"date":`) && p.str(&e.Date) && p.lit(`,"rates":{`) &&
		p.rates(e) && p.lit(`,"rates_id":`) && p.str(&e.RatesID) && p.lit(`,"source":`) && p.str(&e.Source) &&
		p.lit(`}`) && p.i == len(p.s)
	return e, ok
}

// ratesParser reads a stored rates table's text from position i.
type ratesParser struct {
	s string
	i int
}

// lit consumes lit if the text goes on with it.
func (p *ratesParser) lit(lit string) bool {
	if len(p.s)-p.i < len(lit) || p.s[p.i:p.i+len(lit)] != lit {
		return false
	}
	p.i += len(lit)
	return true
}

// str consumes a string of printable ASCII bytes other than '"' and '\\' into dst.
func (p *ratesParser) str(dst *string) bool {
	if !p.lit(`"`) {
		return false
	}
	start := p.i
	for p.i < len(p.s) {
		switch c := p.s[p.i]; {
		case c == '"':
			*dst = p.s[start:p.i]
			p.i++
			return true
		case c < 0x20 || c >= 0x7f || c == '\\':
			return false
		}
		p.i++
	}
	return false
}

// rates consumes the members of the rates object and its closing brace (the opening one consumed). The map is
// made once their number is known: grown member by member, its growth was most of a table's cost.
func (p *ratesParser) rates(e *domain.ExchangeRatesPublished) bool {
	var buf [16][2]string
	members := buf[:0]
	if !p.lit(`}`) {
		for {
			var cur, rate string
			if !p.str(&cur) || !p.lit(`:`) || !p.str(&rate) {
				return false
			}
			members = append(members, [2]string{cur, rate})
			if p.lit(`}`) {
				break
			}
			if !p.lit(`,`) {
				return false
			}
		}
	}
	e.Rates = make(map[string]domain.Rate, len(members))
	for _, m := range members {
		e.Rates[m[0]] = domain.Rate(m[1])
	}
	return true
}
