package readmodel

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
)

// Money columns of a contribution and a rollup row.
const (
	colPaid = iota
	colReimbursed
	colOutstanding
	colShortfall
	moneyCols
)

// contribution is what a worker or a job order adds to the rollups of the groups it belongs to; it is stored
// with it, so that a change subtracts the old one exactly.
type contribution struct {
	Worker   bool     `json:"worker"`
	JobOrder string   `json:"job_order_id,omitempty"`
	Employer string   `json:"employer_id,omitempty"`
	Buyers   []string `json:"buyer_ids,omitempty"`
	// Agencies are the keys of the agency grouping: a worker's recruiter and chain, a job order's chain.
	Agencies []string `json:"agencies,omitempty"`
	// Counts counts flags at the end of time by code, in domain.FlagCodes order.
	Counts []int64 `json:"flags"`
	// Money is per column a currency's total, written with its exponent (see fixed).
	Money [moneyCols]map[string]string `json:"money"`
	// Months is a worker's recruitment cost in months of wages, empty when it has none.
	Months string `json:"months,omitempty"`
	// Scopes are the flag scopes its flags are listed under.
	Scopes []string `json:"scopes,omitempty"`
	// Reports counts a worker's reports by reportKey, and those unresolved under unresolvedKey (report_counts).
	Reports map[string]int64 `json:"reports,omitempty"`
	// flagged says whether a worker counts as flagged at the model's clock (see at).
	flagged bool
	// parsed is Money parsed (see terms), once parsedMoney is set.
	parsed      []moneyTerm
	parsedMoney bool
	// months is Months in hundredths (monthsOK when it is written so), once monthsRead is set.
	months               int64
	monthsOK, monthsRead bool
}

// moneyTerm is a contribution's total of one currency in one money column, parsed, with its scale (places,
// and as text), and in units of 10^-places when they fit int64 and the currency code is of three bytes
// (fits; see sumRow).
type moneyTerm struct {
	col        int
	cur, scale string
	d          decimal.Decimal
	places     int32
	cur3       [3]byte
	units      int64
	fits       bool
}

// terms is the contribution's money parsed, once: a rebuild parses it on the cores that judge, so that the one
// goroutine that writes adds it up to every group's row without parsing it again for each.
func (c *contribution) terms() ([]moneyTerm, error) {
	if c.parsedMoney {
		return c.parsed, nil
	}
	var out []moneyTerm
	for col, byCur := range c.Money {
		for cur, text := range byCur {
			d, err := decimal.NewFromString(text)
			if err != nil {
				return nil, fmt.Errorf("money %q of %s: %w", text, cur, err)
			}
			t := moneyTerm{col: col, cur: cur, d: d, places: max(-d.Exponent(), 0)}
			t.scale = strconv.Itoa(int(t.places))
			t.units, t.fits = unitsOf(d)
			if t.fits = t.fits && len(cur) == len(t.cur3); t.fits {
				t.cur3 = [3]byte([]byte(cur))
			}
			out = append(out, t)
		}
	}
	c.parsed, c.parsedMoney = out, true
	return out, nil
}

// at is the contribution as counted at the model's clock: without the clocked flags (among clocked, the
// worker's) whose time has not come, and flagged when a flag stands then.
func (c contribution) at(clock time.Time, clocked []clockedFlag) contribution {
	c.Counts = slices.Clone(c.Counts)
	for _, f := range clocked {
		if !f.before(clock) {
			if i := slices.Index(domain.FlagCodes, f.code); i >= 0 {
				c.Counts[i]--
			}
		}
	}
	c.flagged = c.total() > 0
	return c
}

func workerContribution(j projections.Judgement) contribution {
	c := contribution{Worker: true, JobOrder: j.JobOrderID, Employer: j.EmployerID, Buyers: j.BuyerIDs,
		Agencies: j.Agencies, Counts: countFlags(j.Flags), Months: j.Ledger.Months, Reports: reportCounts(j)}
	for i, s := range []domain.Sums{j.WorkerPaid, j.Reimbursed, j.Outstanding, j.Shortfall} {
		c.Money[i] = map[string]string{}
		for cur, d := range s {
			c.Money[i][cur] = fixed(d)
		}
	}
	c.flagged = c.total() > 0
	return c
}

func jobOrderContribution(jo *projections.JobOrder, flags []domain.Flag) contribution {
	c := contribution{JobOrder: jo.ID, Employer: jo.EmployerID, Buyers: jo.BuyerIDs, Counts: countFlags(flags)}
	for _, e := range jo.Chain {
		if !slices.Contains(c.Agencies, e.AgencyID) {
			c.Agencies = append(c.Agencies, e.AgencyID)
		}
	}
	return c
}

func countFlags(flags []domain.Flag) []int64 {
	counts := make([]int64, len(domain.FlagCodes))
	for _, f := range flags {
		if i := slices.Index(domain.FlagCodes, f.Code); i >= 0 { // every code a rule raises is declared there
			counts[i]++
		}
	}
	return counts
}

// fixed writes a decimal with as many places as its exponent says, so that reading it back keeps the
// exponent (and the places a total is shown with).
func fixed(d decimal.Decimal) string { return domain.FormatPlaces(d) }

// scopes are the audit scopes a contribution counts in: every supply chain, and each of its buyers'.
func (c *contribution) scopes() []string {
	out := []string{""}
	for _, b := range c.Buyers {
		if !slices.Contains(out, b) {
			out = append(out, b)
		}
	}
	return out
}

// byAll is the grouping of a scope's total row (key ""): the rows by job order added up, so that each worker
// counts once.
const byAll = "all"

// rollupGroupings are the groupings the rollups keep: the audit's, and the scope's total.
var rollupGroupings = append(slices.Clone(projections.Groupings), byAll)

// groupKeys are the groups of a grouping the contribution belongs to within a scope (the audit's groupKeys).
func (c *contribution) groupKeys(by, scope string) []string {
	switch by {
	case projections.ByEmployer:
		return nonEmpty(c.Employer)
	case projections.ByAgency:
		return c.Agencies
	case projections.ByJobOrder:
		return nonEmpty(c.JobOrder)
	case byAll:
		if c.JobOrder == "" {
			return nil // as the rows by job order, which it adds up
		}
		return []string{""}
	}
	if scope != "" {
		return []string{scope}
	}
	return c.Buyers
}

// substituted reports whether a worker's flags include one of projections.SubstitutionCodes.
func (c *contribution) substituted() bool {
	for _, code := range projections.SubstitutionCodes {
		if i := slices.Index(domain.FlagCodes, code); i >= 0 && i < len(c.Counts) && c.Counts[i] > 0 {
			return true
		}
	}
	return false
}

func (c *contribution) total() int64 {
	var n int64
	for _, k := range c.Counts {
		n += k
	}
	return n
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// rowKey names a rollup row.
type rowKey struct{ scope, by, key string }

// row is a rollup row: money is per column, currency and scale (units of 10^-scale) an exact sum; months
// counts the workers by their months of wages (a histogram, so that a change subtracts exactly and a median
// is read from it).
type row struct {
	Workers     int64 `json:"-"`
	Flagged     int64 `json:"-"`
	Substituted int64 `json:"-"`
	// Months counts the row's workers by months of wages (in a catch-up, the changes to those counts), which
	// rollup_months stores a value to a row.
	Months map[string]int64                                 `json:"-"`
	Counts []int64                                          `json:"-"`
	Money  [moneyCols]map[string]map[string]decimal.Decimal `json:"-"`
	// storedMoney is the money a catch-up read, not parsed (lazyMoney), Money then holding the changes made to
	// it, added to the text when the row is written (mergeMoney).
	storedMoney string
	lazyMoney   bool
	jobOrders   map[string]int64 // change in refs
}

func newRow() *row {
	r := &row{Counts: make([]int64, len(domain.FlagCodes)), jobOrders: map[string]int64{}, Months: map[string]int64{}}
	for i := range r.Money {
		r.Money[i] = map[string]map[string]decimal.Decimal{}
	}
	return r
}

// add adds (sign 1) or subtracts (sign -1) a contribution.
func (r *row) add(c *contribution, sign int64) error {
	if c.Worker {
		r.Workers += sign
		if c.flagged {
			r.Flagged += sign
		}
		if c.substituted() {
			r.Substituted += sign
		}
		if c.Months != "" {
			addCount(r.Months, c.Months, sign)
		}
	}
	for i, n := range c.Counts {
		r.Counts[i] += sign * n
	}
	terms, err := c.terms()
	if err != nil {
		return err
	}
	for _, t := range terms {
		d := t.d
		if sign < 0 {
			d = d.Neg()
		}
		r.addSum(t.col, t.cur, t.scale, d)
	}
	if c.JobOrder != "" {
		r.jobOrders[c.JobOrder] += sign
	}
	return nil
}

// storedRow is a row's JSON columns.
type storedRow struct {
	Money [moneyCols]map[string]map[string]string
}

func (r *row) moneyJSON() string {
	var s storedRow
	for col, byCur := range r.Money {
		s.Money[col] = map[string]map[string]string{}
		for cur, sums := range byCur {
			s.Money[col][cur] = map[string]string{}
			for scale, d := range sums {
				s.Money[col][cur][scale] = fixed(d)
			}
		}
	}
	b, _ := json.Marshal(s.Money) // strings only: cannot fail
	return string(b)
}

func (r *row) readMoney(text string) error {
	var m [moneyCols]map[string]map[string]string
	if err := json.Unmarshal([]byte(text), &m); err != nil {
		return fmt.Errorf("rollup money: %w", err)
	}
	for col, byCur := range m {
		for cur, sums := range byCur {
			r.Money[col][cur] = map[string]decimal.Decimal{}
			for scale, text := range sums {
				d, err := decimal.NewFromString(text)
				if err != nil {
					return fmt.Errorf("rollup money %q: %w", text, err)
				}
				r.Money[col][cur][scale] = d
			}
		}
	}
	return nil
}

// money totals a column per currency, as the in-memory audit does: zero totals left out, sorted by currency.
func (r *row) money(col int) []domain.Money {
	sums := domain.Sums{}
	for cur, byScale := range r.Money[col] {
		for _, d := range byScale {
			sums.Add(cur, d)
		}
	}
	return sums.Money()
}

// flushRow writes a rollup row the writer changed, with its job orders' references and its months of wages; a
// row that counts nothing any more is deleted. In a catch-up, d is the changes made to the row: none leaves it as
// it is, else they are added to the row stored; its references and values of months were written with every
// other row's (flushAllCounts), changing its number of job orders by counted.
func (w *writer) flushRow(ctx context.Context, k rowKey, d *row, counted int64) error {
	r, jobOrders := d, int64(len(d.jobOrders))
	if w.fresh {
		if err := w.insertCounts(ctx, refsTable, k, d.jobOrders); err != nil {
			return err
		}
		if err := w.insertCounts(ctx, monthsTable, k, d.Months); err != nil {
			return err
		}
	} else {
		if d.unchanged() {
			return nil
		}
		var err error
		if r, jobOrders, err = w.storedRow(ctx, k); err != nil {
			return err
		}
		r.merge(d)
		jobOrders += counted
	}
	if r.Workers == 0 && jobOrders == 0 {
		_, err := w.exec(ctx, `DELETE FROM rollups WHERE scope = ? AND grouping = ? AND key = ?`, k.scope, k.by, k.key)
		return err
	}
	counts, _ := json.Marshal(r.Counts) // integers: cannot fail
	money, err := r.storedMoneyJSON()
	if err != nil {
		return err
	}
	_, err = w.exec(ctx, `INSERT OR REPLACE INTO rollups (scope, grouping, key, workers, flagged_workers,
		flags, money, substituted_workers, job_orders) VALUES (?,?,?,?,?,?,?,?,?)`, k.scope, k.by, k.key, r.Workers,
		r.Flagged, string(counts), money, r.Substituted, jobOrders)
	return err
}

// storedMoneyJSON is the row's money as the model stores it: the text a catch-up read with the changes made to
// it added (lazyMoney), else the sums encoded.
func (r *row) storedMoneyJSON() (string, error) {
	if !r.lazyMoney {
		return r.moneyJSON(), nil
	}
	for _, byCur := range r.Money {
		if len(byCur) > 0 {
			return mergeMoney(r.storedMoney, r.Money)
		}
	}
	return r.storedMoney, nil
}

// unchanged reports whether a row of changes (see writer.row) changes nothing: the contributions added to it
// and subtracted from it cancel out.
func (r *row) unchanged() bool {
	if r.Workers != 0 || r.Flagged != 0 || r.Substituted != 0 || len(r.Months) != 0 {
		return false
	}
	for _, n := range r.Counts {
		if n != 0 {
			return false
		}
	}
	for _, byCur := range r.Money {
		if len(byCur) != 0 {
			return false
		}
	}
	for _, n := range r.jobOrders {
		if n != 0 {
			return false
		}
	}
	return true
}

func readCounts(text string, into []int64) error {
	var counts []int64
	if err := json.Unmarshal([]byte(text), &counts); err != nil {
		return fmt.Errorf("rollup flag counts: %w", err)
	}
	copy(into, counts)
	return nil
}
