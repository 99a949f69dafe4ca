package readmodel

import (
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
)

// A rebuild holds every rollup row's sums from its first worker to its last, and at 600,000 workers they were
// most of its live heap (about 390 of 655 MB): maps of text to counts and of currencies to decimals, each
// entry a pointer the collector followed again on every cycle, with the heap held at the soft memory limit.
// A rebuild therefore holds them as sumRows, whose maps hold neither keys nor values with pointers (the
// collector does not scan such a map's entries): months of wages as hundredths, money as integer units of
// its scale in a fixed-size key, job orders as ids interned per writer. A row becomes a row (its stored
// form) only when the writer writes it (fold); whatever does not fit (a currency code not of three bytes, a
// sum beyond int64, months of wages not written with two places, "1.00+" among them) is held as before, so
// the sums are exact.

// names interns strings as small integers, so that a key holding them holds no pointer.
type names struct {
	ids  map[string]uint32
	list []string
}

// id returns the id of s, interning it when new.
func (n *names) id(s string) uint32 {
	if id, ok := n.ids[s]; ok {
		return id
	}
	if n.ids == nil {
		n.ids = map[string]uint32{}
	}
	id := uint32(len(n.list))
	s = strings.Clone(s) // not the buffer of the judgement it came from
	n.ids[s], n.list = id, append(n.list, s)
	return id
}

// name is the string interned as id.
func (n *names) name(id uint32) string { return n.list[id] }

// moneySlot names a sum of a sumRow: a money column, a three-byte currency code and the scale it is kept in.
type moneySlot struct {
	col    uint8
	cur    [3]byte
	places int32
}

// oddSlot names a sum a sumRow holds as a decimal: of a currency code not of three bytes, or beyond int64.
type oddSlot struct {
	col    int
	cur    string
	places int32
}

// sumRow is a rollup row's sums as a rebuild holds them (see row for what they mean).
type sumRow struct {
	workers, flagged, substituted int64
	counts                        []int64
	months                        map[int64]int64 // workers by months of wages in hundredths
	oddMonths                     map[string]int64
	money                         map[moneySlot]int64 // units of 10^-places
	oddMoney                      map[oddSlot]decimal.Decimal
	// jobOrders are the references by job order id; a writer's row (interned, not nil) counts them by id in
	// jobOrderIDs instead.
	jobOrders   map[string]int64
	interned    *names
	jobOrderIDs map[uint32]int64
}

func newSumRow(counts int, interned *names) *sumRow {
	r := &sumRow{counts: make([]int64, counts), months: map[int64]int64{}, money: map[moneySlot]int64{},
		interned: interned}
	if interned != nil {
		r.jobOrderIDs = map[uint32]int64{}
	} else {
		r.jobOrders = map[string]int64{}
	}
	return r
}

// add adds (sign 1) or subtracts (sign -1) a contribution, as row.add does.
func (r *sumRow) add(c *contribution, sign int64) error {
	if c.Worker {
		r.workers += sign
		if c.flagged {
			r.flagged += sign
		}
		if c.substituted() {
			r.substituted += sign
		}
		if c.Months != "" {
			if h, ok := c.hundredths(); ok {
				addCount(r.months, h, sign)
			} else {
				r.oddMonths = addOddCount(r.oddMonths, c.Months, sign)
			}
		}
	}
	for i, n := range c.Counts {
		r.counts[i] += sign * n
	}
	terms, err := c.terms()
	if err != nil {
		return err
	}
	for _, t := range terms {
		if t.fits {
			r.addUnits(moneySlot{uint8(t.col), t.cur3, t.places}, sign*t.units)
			continue
		}
		d := t.d
		if sign < 0 {
			d = d.Neg()
		}
		r.addOdd(oddSlot{t.col, t.cur, t.places}, d)
	}
	if c.JobOrder != "" {
		r.addJobOrder(c.JobOrder, sign)
	}
	return nil
}

func (r *sumRow) addJobOrder(id string, n int64) {
	if r.interned != nil {
		r.jobOrderIDs[r.interned.id(id)] += n
	} else {
		r.jobOrders[id] += n
	}
}

// addUnits adds units to a slot's sum, holding the sum as a decimal once it leaves int64.
func (r *sumRow) addUnits(s moneySlot, units int64) {
	if len(r.oddMoney) > 0 {
		odd := oddSlot{int(s.col), string(s.cur[:]), s.places}
		if d, ok := r.oddMoney[odd]; ok {
			r.setOdd(odd, d.Add(decimal.New(units, -s.places)))
			return
		}
	}
	sum := r.money[s]
	if (units > 0 && sum > math.MaxInt64-units) || (units < 0 && sum < math.MinInt64-units) {
		delete(r.money, s)
		odd := oddSlot{int(s.col), string(s.cur[:]), s.places}
		r.addOdd(odd, decimal.New(sum, -s.places).Add(decimal.New(units, -s.places)))
		return
	}
	if sum += units; sum == 0 {
		delete(r.money, s)
	} else {
		r.money[s] = sum
	}
}

// addOdd adds d to a sum held as a decimal, with what the slot held in units if it did.
func (r *sumRow) addOdd(s oddSlot, d decimal.Decimal) {
	if len(s.cur) == 3 {
		slot := moneySlot{uint8(s.col), [3]byte([]byte(s.cur)), s.places}
		if units, ok := r.money[slot]; ok {
			delete(r.money, slot)
			d = d.Add(decimal.New(units, -s.places))
		}
	}
	r.setOdd(s, r.oddMoney[s].Add(d))
}

func (r *sumRow) setOdd(s oddSlot, d decimal.Decimal) {
	if d.IsZero() {
		delete(r.oddMoney, s)
		return
	}
	if r.oddMoney == nil {
		r.oddMoney = map[oddSlot]decimal.Decimal{}
	}
	r.oddMoney[s] = d
}

// merge adds another row's sums to r, a writer's row (interned), as adding its contributions one by one would.
func (r *sumRow) merge(o *sumRow) {
	r.workers += o.workers
	r.flagged += o.flagged
	r.substituted += o.substituted
	for i, n := range o.counts {
		r.counts[i] += n
	}
	for h, n := range o.months {
		addCount(r.months, h, n)
	}
	for text, n := range o.oddMonths {
		r.oddMonths = addOddCount(r.oddMonths, text, n)
	}
	for s, units := range o.money {
		r.addUnits(s, units)
	}
	for s, d := range o.oddMoney {
		r.addOdd(s, d)
	}
	for id, n := range o.jobOrders {
		r.addJobOrder(id, n)
	}
}

// adopt makes a tally's row a writer's row, interning its job orders with n.
func (r *sumRow) adopt(n *names) {
	r.interned, r.jobOrderIDs = n, make(map[uint32]int64, len(r.jobOrders))
	for id, refs := range r.jobOrders {
		r.jobOrderIDs[n.id(id)] += refs
	}
	r.jobOrders = nil
}

// fold adds the row's sums to into, a row in the form the writer writes, as adding the contributions to it
// would have: into's months of wages, money and job orders then hold these too.
func (r *sumRow) fold(into *row) {
	into.Workers += r.workers
	into.Flagged += r.flagged
	into.Substituted += r.substituted
	for i, n := range r.counts {
		into.Counts[i] += n
	}
	for h, n := range r.months {
		addCount(into.Months, hundredthsText(h), n)
	}
	for text, n := range r.oddMonths {
		addCount(into.Months, text, n)
	}
	for s, units := range r.money {
		into.addSum(int(s.col), string(s.cur[:]), strconv.Itoa(int(s.places)), decimal.New(units, -s.places))
	}
	for s, d := range r.oddMoney {
		into.addSum(s.col, s.cur, strconv.Itoa(int(s.places)), d)
	}
	for id, n := range r.jobOrderIDs {
		into.jobOrders[r.interned.name(id)] += n
	}
	for id, n := range r.jobOrders {
		into.jobOrders[id] += n
	}
}

// hundredths is the contribution's months of wages in hundredths, when they are written with two places (see
// hundredths), read once.
func (c *contribution) hundredths() (int64, bool) {
	if !c.monthsRead {
		c.months, c.monthsOK = hundredths(c.Months)
		c.monthsRead = true
	}
	return c.months, c.monthsOK
}

// addSum adds d to the row's sum of a column, currency and scale (its places as text), deleting a sum that
// comes to zero.
func (r *row) addSum(col int, cur, scale string, d decimal.Decimal) {
	sums := r.Money[col][cur]
	if sums == nil {
		sums = map[string]decimal.Decimal{}
		r.Money[col][cur] = sums
	}
	if s := sums[scale].Add(d); s.IsZero() {
		delete(sums, scale)
	} else {
		sums[scale] = s
	}
	if len(sums) == 0 {
		delete(r.Money[col], cur)
	}
}

// addCount adds n to a count, deleting it when it comes to zero.
func addCount[K comparable](counts map[K]int64, k K, n int64) {
	if counts[k] += n; counts[k] == 0 {
		delete(counts, k)
	}
}

// addOddCount is addCount on a map made when nil, which it returns.
func addOddCount(counts map[string]int64, k string, n int64) map[string]int64 {
	if counts == nil {
		counts = map[string]int64{}
	}
	addCount(counts, k, n)
	return counts
}

// hundredths reads months of wages written as decimal.StringFixed(2) writes them ("0.35", "-1.20", "12.00")
// as an integer of hundredths. ok is false for any other text (a leading zero, another number of places,
// "-0.00", a value beyond int64), which hundredthsText would not write back as it was.
func hundredths(text string) (int64, bool) {
	neg := strings.HasPrefix(text, "-")
	digits := strings.TrimPrefix(text, "-")
	n := len(digits)
	if n < 4 || digits[n-3] != '.' || digits[0] == '0' && n > 4 {
		return 0, false
	}
	var v uint64
	for i := 0; i < n; i++ {
		if i == n-3 {
			continue
		}
		c := digits[i]
		if c < '0' || c > '9' || v > (math.MaxUint64-9)/10 {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
	}
	switch {
	case neg && v == 0, !neg && v > math.MaxInt64, neg && v > 1<<63:
		return 0, false
	case neg:
		return int64(-v), true // -v in two's complement, 1<<63 included
	}
	return int64(v), true
}

// hundredthsText writes an integer of hundredths as decimal.StringFixed(2) writes the number.
func hundredthsText(h int64) string {
	v := uint64(h)
	b := make([]byte, 0, 24)
	if h < 0 {
		b, v = append(b, '-'), -v
	}
	b = strconv.AppendUint(b, v/100, 10)
	return string(append(b, '.', byte('0'+v/10%10), byte('0'+v%10)))
}

// unitsOf is d in units of 10^-places, places being max(-exponent, 0) (see contribution.terms), when that
// fits int64.
func unitsOf(d decimal.Decimal) (int64, bool) {
	c := d.Coefficient()
	if exp := d.Exponent(); exp > 0 {
		c.Mul(c, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(exp)), nil))
	}
	if !c.IsInt64() {
		return 0, false
	}
	return c.Int64(), true
}
