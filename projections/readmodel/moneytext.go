package readmodel

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/shopspring/decimal"
)

// A rollup row's money is stored as the JSON of a [moneyCols]map[string]map[string]string: per column, per
// currency, per scale, an exact sum (see row). A catch-up adds a worker's change to every row it counts under:
// parsing every sum of a row into a decimal, adding, and encoding the row again with encoding/json's reflection
// and sorting of map keys was a fifth of a post's catch-up. moneyText adds the changes to the stored text
// instead: the sums they touch parsed and written again, the others copied as they are, in the order and form
// json.Marshal writes them.

// moneyText is a rollup row's stored money, parsed into its entries in key order, the sums left as text.
type moneyText [moneyCols][]currencySums

// currencySums is one currency's sums in a column of moneyText, by scale in key order.
type currencySums struct {
	cur  string
	sums []scaleSum
}

// scaleSum is one sum of moneyText: its scale (the map key) and its text.
type scaleSum struct{ scale, text string }

// mergeMoney is the stored money text with the changes of delta added, as reading it (readMoney), adding them
// (row.merge) and encoding it (moneyJSON) writes it: a sum that comes to zero left out, and a currency whose
// sums all do.
func mergeMoney(stored string, delta [moneyCols]map[string]map[string]decimal.Decimal) (string, error) {
	mt, err := parseMoneyText(stored)
	if err != nil {
		return "", err
	}
	for col, byCur := range delta {
		for _, cur := range slices.Sorted(maps.Keys(byCur)) {
			if err := mt.add(col, cur, byCur[cur]); err != nil {
				return "", err
			}
		}
	}
	return mt.encode(), nil
}

// add adds a currency's changes, by scale, to a column.
func (mt *moneyText) add(col int, cur string, changes map[string]decimal.Decimal) error {
	curs := mt[col]
	i, found := slices.BinarySearchFunc(curs, cur, func(c currencySums, cur string) int { return strings.Compare(c.cur, cur) })
	if !found {
		curs = slices.Insert(curs, i, currencySums{cur: cur})
	}
	sums := curs[i].sums
	for _, scale := range slices.Sorted(maps.Keys(changes)) {
		d := changes[scale]
		j, found := slices.BinarySearchFunc(sums, scale, func(s scaleSum, scale string) int { return strings.Compare(s.scale, scale) })
		if found {
			old, err := decimal.NewFromString(sums[j].text)
			if err != nil {
				return fmt.Errorf("rollup money %q: %w", sums[j].text, err)
			}
			d = old.Add(d)
		}
		switch {
		case d.IsZero() && found:
			sums = slices.Delete(sums, j, j+1)
		case d.IsZero():
		case found:
			sums[j].text = fixed(d)
		default:
			sums = slices.Insert(sums, j, scaleSum{scale: scale, text: fixed(d)})
		}
	}
	curs[i].sums = sums
	if len(sums) == 0 && len(changes) > 0 {
		curs = slices.Delete(curs, i, i+1)
	}
	mt[col] = curs
	return nil
}

// encode writes the money as json.Marshal writes the maps it holds.
func (mt *moneyText) encode() string {
	if !mt.plain() {
		var m [moneyCols]map[string]map[string]string
		for col, curs := range mt {
			m[col] = map[string]map[string]string{}
			for _, c := range curs {
				m[col][c.cur] = map[string]string{}
				for _, s := range c.sums {
					m[col][c.cur][s.scale] = s.text
				}
			}
		}
		b, _ := json.Marshal(m) // strings only: cannot fail
		return string(b)
	}
	var b strings.Builder
	b.WriteByte('[')
	for col, curs := range mt {
		if col > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('{')
		for i, c := range curs {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`"` + c.cur + `":{`)
			for j, s := range c.sums {
				if j > 0 {
					b.WriteByte(',')
				}
				b.WriteString(`"` + s.scale + `":"` + s.text + `"`)
			}
			b.WriteByte('}')
		}
		b.WriteByte('}')
	}
	b.WriteByte(']')
	return b.String()
}

// plain reports whether json.Marshal writes every string of the money as itself between quotes.
func (mt *moneyText) plain() bool {
	for _, curs := range mt {
		for _, c := range curs {
			if !plainKey(c.cur) {
				return false
			}
			for _, s := range c.sums {
				if !plainKey(s.scale) || !plainKey(s.text) {
					return false
				}
			}
		}
	}
	return true
}

// parseMoneyText reads stored money: text in the form encode writes directly, anything else by json.Unmarshal
// (as readMoney reads it: a later entry of a key replacing an earlier one).
func parseMoneyText(text string) (moneyText, error) {
	if mt, ok := plainMoneyText(text); ok {
		return mt, nil
	}
	var m [moneyCols]map[string]map[string]string
	if err := json.Unmarshal([]byte(text), &m); err != nil {
		return moneyText{}, fmt.Errorf("rollup money: %w", err)
	}
	var mt moneyText
	for col, byCur := range m {
		for _, cur := range slices.Sorted(maps.Keys(byCur)) {
			c := currencySums{cur: cur}
			for _, scale := range slices.Sorted(maps.Keys(byCur[cur])) {
				c.sums = append(c.sums, scaleSum{scale: scale, text: byCur[cur][scale]})
			}
			mt[col] = append(mt[col], c)
		}
	}
	return mt, nil
}

// plainMoneyText reads text when it is in the form encode writes: no spaces, plain strings (plainKey), every
// key once and in ascending order, moneyCols columns.
func plainMoneyText(text string) (moneyText, bool) {
	var mt moneyText
	p := moneyParser{rest: text}
	if !p.skip('[') {
		return mt, false
	}
	for col := range mt {
		if col > 0 && !p.skip(',') {
			return mt, false
		}
		curs, ok := object(&p, func() (currencySums, bool) {
			var c currencySums
			sums, ok := object(&p, func() (scaleSum, bool) {
				text, ok := p.str()
				return scaleSum{text: text}, ok
			}, func(s *scaleSum, k string) { s.scale = k })
			c.sums = sums
			return c, ok
		}, func(c *currencySums, k string) { c.cur = k })
		if !ok {
			return mt, false
		}
		mt[col] = curs
	}
	return mt, p.skip(']') && p.rest == ""
}

// moneyParser reads the form of stored money that encode writes.
type moneyParser struct{ rest string }

// skip reads the byte c.
func (p *moneyParser) skip(c byte) bool {
	if p.rest == "" || p.rest[0] != c {
		return false
	}
	p.rest = p.rest[1:]
	return true
}

// str reads a plain string (plainKey) between quotes.
func (p *moneyParser) str() (string, bool) {
	if !p.skip('"') {
		return "", false
	}
	end := strings.IndexByte(p.rest, '"')
	if end < 0 || !plainKey(p.rest[:end]) {
		return "", false
	}
	s := p.rest[:end]
	p.rest = p.rest[end+1:]
	return s, true
}

// object reads an object whose keys ascend, each value read by value and its key set by key.
func object[T any](p *moneyParser, value func() (T, bool), key func(*T, string)) ([]T, bool) {
	if !p.skip('{') {
		return nil, false
	}
	var out []T
	prev := ""
	for !p.skip('}') {
		if len(out) > 0 && !p.skip(',') {
			return nil, false
		}
		k, ok := p.str()
		if !ok || len(out) > 0 && k <= prev || !p.skip(':') {
			return nil, false
		}
		v, ok := value()
		if !ok {
			return nil, false
		}
		key(&v, k)
		out, prev = append(out, v), k
	}
	return out, true
}
