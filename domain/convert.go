package domain

import (
	"slices"
	"sync"
	"time"

	"github.com/shopspring/decimal"
)

// RateBook holds the published rates tables and converts money with them (spec section 7): an amount in
// currency C at instant t converts to currency R through the table of the latest date on or before t's UTC day
// that gives both C and R, via its base (a table gives its own base at rate 1), exactly, rounded half-even to 2
// decimals only in the result. Of two tables for one day that both give the pair, the one added last wins (a
// correction). Add must not run concurrently with other methods; Convert is safe for concurrent use.
type RateBook struct {
	tables []*RateTable
	mu     sync.Mutex
	pairs  map[[2]string][]*RateTable // per pair of currencies, the tables that give both, by day then order added
}

// RateTable is a published rates table as conversion reads it.
type RateTable struct {
	EventID EventID
	RatesID string
	Source  string
	Base    string
	// Day is midnight UTC of the date the rates apply to.
	Day time.Time
	// rates are the table's rates as published, read by the first conversion with the table into perBase:
	// units of each currency per one unit of the base, the base included at 1 (a process that reads a book of
	// every table the store holds converts with a few of them).
	rates       map[string]Rate
	perBaseOnce sync.Once
	perBase     map[string]decimal.Decimal
	// used holds the RateUsed of each pair of currencies converted with the table ({from, to}), made once:
	// the same for every amount, and its text (the rates, their quotient, the date) costs more than the
	// conversion itself.
	usedMu sync.RWMutex
	used   map[[2]string]*RateUsed
}

// gives reports whether the table converts from or to currency.
func (t *RateTable) gives(currency string) bool {
	_, ok := t.rates[currency]
	return ok || currency == t.Base
}

// per returns the units of each of two currencies the table gives per one unit of its base.
func (t *RateTable) per(from, to string) (fromPer, toPer decimal.Decimal) {
	t.perBaseOnce.Do(func() {
		t.perBase = make(map[string]decimal.Decimal, len(t.rates)+1)
		for cur, r := range t.rates {
			t.perBase[cur] = r.Decimal()
		}
		t.perBase[t.Base] = decimal.NewFromInt(1)
	})
	return t.perBase[from], t.perBase[to]
}

// Add records a published table; id is the event's id.
func (b *RateBook) Add(id EventID, e *ExchangeRatesPublished) {
	t := &RateTable{EventID: id, RatesID: e.RatesID, Source: e.Source, Base: e.Base, Day: e.Day(), rates: e.Rates}
	// After every table of the same day or earlier: the last added wins among a day's tables.
	i, _ := slices.BinarySearchFunc(b.tables, t.Day, func(x *RateTable, day time.Time) int {
		if x.Day.After(day) {
			return 1
		}
		return -1
	})
	b.tables = slices.Insert(b.tables, i, t)
	b.mu.Lock()
	b.pairs = nil
	b.mu.Unlock()
}

// Clone returns a book of the same tables that tables added to either do not change the other.
func (b *RateBook) Clone() *RateBook {
	if b == nil {
		return &RateBook{}
	}
	return &RateBook{tables: slices.Clone(b.tables)}
}

// Len is the number of tables added.
func (b *RateBook) Len() int {
	if b == nil {
		return 0
	}
	return len(b.tables)
}

// Conversion is an amount converted into another currency, with the rate used.
type Conversion struct {
	// From is the amount converted; To is the result, rounded half-even to 2 decimals.
	From Money    `json:"from"`
	To   Money    `json:"to"`
	Rate RateUsed `json:"rate"`
}

// RateUsed names the rate a conversion used: the table (its event, rates_id, source and date) and the two
// rates against its base that the conversion divided exactly.
type RateUsed struct {
	EventID     string `json:"event_id"`
	RatesID     string `json:"rates_id"`
	Source      string `json:"source"`
	Date        string `json:"date"`
	Base        string `json:"base"`
	From        string `json:"from"`
	To          string `json:"to"`
	FromPerBase string `json:"from_per_base"`
	ToPerBase   string `json:"to_per_base"`
	// Rate is units of To per one unit of From, to 10 decimal places, for reading; the conversion itself uses
	// the exact quotient.
	Rate string `json:"rate"`
}

// rateDisplayPlaces is how many decimals RateUsed.Rate shows.
const rateDisplayPlaces = 10

// Table returns the table that converts between currencies from and to at instant at: the latest on or
// before at's UTC day that gives both; false when none does.
func (b *RateBook) Table(from, to string, at time.Time) (*RateTable, bool) {
	if b == nil {
		return nil, false
	}
	list := b.pair(from, to)
	day := utcDay(at)
	i, _ := slices.BinarySearchFunc(list, day, func(x *RateTable, day time.Time) int {
		if x.Day.After(day) {
			return 1
		}
		return -1
	})
	if i == 0 {
		return nil, false
	}
	return list[i-1], true
}

// pair returns the tables that give both currencies, in book order, computing them once per pair.
func (b *RateBook) pair(from, to string) []*RateTable {
	key := [2]string{from, to}
	b.mu.Lock()
	defer b.mu.Unlock()
	if list, ok := b.pairs[key]; ok {
		return list
	}
	var list []*RateTable
	for _, t := range b.tables {
		if t.gives(from) && t.gives(to) {
			list = append(list, t)
		}
	}
	if b.pairs == nil {
		b.pairs = make(map[[2]string][]*RateTable)
	}
	b.pairs[key] = list
	return list
}

// Convert converts an amount of money into currency to at instant at. An amount already in currency to is
// returned as it is, with no rate. False when no table gives both currencies on or before at's UTC day: the
// amount is then "not converted", never guessed.
func (b *RateBook) Convert(m Money, to string, at time.Time) (Conversion, bool) {
	if m.Currency == to {
		return Conversion{From: m, To: m}, true
	}
	t, ok := b.Table(m.Currency, to, at)
	if !ok {
		return Conversion{}, false
	}
	result := t.convert(m.Amount.Decimal(), m.Currency, to)
	// result has two places (DivRoundHalfEven's): FormatAmount writes it as StringFixed(2) does.
	return Conversion{From: m, To: Money{Amount: Amount(FormatAmount(result)), Currency: to},
		Rate: t.rateUsed(m.Currency, to)}, true
}

// rateUsed names the rate the table converts from one currency into another with (both of which it gives).
func (t *RateTable) rateUsed(from, to string) RateUsed {
	key := [2]string{from, to}
	t.usedMu.RLock()
	r := t.used[key]
	t.usedMu.RUnlock()
	if r != nil {
		return *r
	}
	fromPer, toPer := t.per(from, to)
	r = &RateUsed{EventID: t.EventID.String(), RatesID: t.RatesID, Source: t.Source,
		Date: t.Day.Format(time.DateOnly), Base: t.Base, From: from, To: to,
		FromPerBase: fromPer.String(), ToPerBase: toPer.String(),
		Rate: DivRoundHalfEven(toPer, fromPer, rateDisplayPlaces).String()}
	t.usedMu.Lock()
	if t.used == nil {
		t.used = map[[2]string]*RateUsed{}
	}
	t.used[key] = r
	t.usedMu.Unlock()
	return *r
}

// ConvertAmount is Convert's result alone, without naming the rate: for sums over many amounts. An amount
// already in currency to is returned as it is.
func (b *RateBook) ConvertAmount(m Money, to string, at time.Time) (decimal.Decimal, bool) {
	if m.Currency == to {
		return m.Amount.Decimal(), true
	}
	t, ok := b.Table(m.Currency, to, at)
	if !ok {
		return decimal.Decimal{}, false
	}
	return t.convert(m.Amount.Decimal(), m.Currency, to), true
}

// convert converts an amount between two currencies the table gives, rounded half-even to 2 decimals once.
func (t *RateTable) convert(amount decimal.Decimal, from, to string) decimal.Decimal {
	fromPer, toPer := t.per(from, to)
	return DivRoundHalfEven(amount.Mul(toPer), fromPer, 2)
}

// DivRoundHalfEven divides num by den (den > 0) and rounds the exact quotient half to even at places decimals:
// one rounding of the true quotient, never of an already rounded one.
func DivRoundHalfEven(num, den decimal.Decimal, places int32) decimal.Decimal {
	if q, ok := divRoundHalfEven64(num, den, places); ok {
		return q
	}
	return divRoundHalfEvenBig(num, den, places)
}

// divRoundHalfEvenBig is DivRoundHalfEven on big.Int, for any operands.
func divRoundHalfEvenBig(num, den decimal.Decimal, places int32) decimal.Decimal {
	q, r := num.QuoRem(den, places)
	unit := decimal.New(1, -places)
	twice := r.Abs().Mul(decimal.NewFromInt(2))
	half := den.Abs().Mul(unit)
	step := unit
	if num.Sign()*den.Sign() < 0 {
		step = unit.Neg()
	}
	switch c := twice.Cmp(half); {
	case c > 0:
		q = q.Add(step)
	case c == 0 && q.Shift(places).BigInt().Bit(0) == 1:
		q = q.Add(step)
	}
	return q
}
