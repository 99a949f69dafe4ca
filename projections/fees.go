package projections

import (
	"time"

	"github.com/shopspring/decimal"

	"github.com/fairtrail/fairtrail/domain"
)

// Breach is one applicable rule that a worker-paid fee breaks.
type Breach struct {
	Code       string       `json:"code"`
	PolicyID   string       `json:"policy_id,omitempty"`
	PolicyName string       `json:"policy_name,omitempty"`
	Authority  string       `json:"authority,omitempty"`
	Category   string       `json:"category"`
	Max        domain.Money `json:"max"`
	policy     domain.EventID
	repayment  int
}

// FeeLine is one fee of the worker's ledger, judged.
type FeeLine struct {
	EventID    string       `json:"event_id"`
	FeeID      string       `json:"fee_id"`
	At         time.Time    `json:"occurred_at"`
	RecordedAt time.Time    `json:"recorded_at"`
	Category   string       `json:"category"`
	Label      string       `json:"label,omitempty"`
	Amount     domain.Money `json:"amount"`
	Payer      string       `json:"payer"`
	PayerID    string       `json:"payer_id,omitempty"`
	PayeeID    string       `json:"payee_id"`
	Method     string       `json:"method"`
	Breaches   []Breach     `json:"breaches,omitempty"`
	// Owed is what must be reimbursed: the whole fee, or the part above a cap.
	Owed *domain.Money `json:"owed,omitempty"`
	// Reimbursed is what was paid back against this fee by the clock.
	Reimbursed *domain.Money `json:"reimbursed,omitempty"`
	// Deadline is recorded_at + the strictest repayment_days of the breached policies.
	Deadline *time.Time `json:"reimbursement_deadline,omitempty"`

	id domain.EventID
	// deadline and reimbursed hold what Deadline and Reimbursed point to, once set: no allocation of their own.
	deadline   time.Time
	reimbursed domain.Money
	amount     decimal.Decimal
	owed       decimal.Decimal
	repayDays  int
	refunds    []allocation
}

// allocation is the part of a reimbursement applied to a fee.
type allocation struct {
	refund refundFact
	amount decimal.Decimal
}

// capState accumulates worker-paid fees under one non-zero cap rule.
type capState struct {
	policy    *Policy
	rule      domain.Rule
	max       decimal.Decimal
	total     decimal.Decimal
	fees      []*FeeLine
	notJudged []*FeeLine
	converted []domain.Conversion // the fees in another currency, converted into the cap's
	raisedBy  *FeeLine            // the fee that took the total over the cap
	rates     *domain.RateBook
}

// feeJudgement is every fee of a worker judged against the applicable rules.
type feeJudgement struct {
	lines []*FeeLine
	caps  []*capState
}

func (v *View) judgeFees(ws *workerState) *feeJudgement {
	j := &feeJudgement{lines: make([]*FeeLine, 0, len(ws.fees))}
	var caps map[capKey]*capState // made at the first cap: most workers meet none
	var applicable []*Policy      // each fee's, in one array
	for _, ff := range ws.fees {
		line := newFeeLine(ff)
		j.lines = append(j.lines, line)
		if ff.fee.Payer != domain.PayerWorker || line.amount.IsZero() {
			continue // a fee of 0 records that the worker paid nothing: it breaches no rule
		}
		if ff.fee.Category == domain.FeeDeposit || ff.fee.Category == domain.FeeBribe {
			line.Breaches = append(line.Breaches, Breach{Code: domain.FlagFeeIllegitimate, Category: ff.fee.Category})
		}
		dest := ""
		if ws.jobOrder != nil {
			dest = ws.jobOrder.Destination(ff.OccurredAt)
		}
		applicable = v.policies.appendApplicable(applicable[:0], ff.OccurredAt, ws.buyers(), ws.origin(), dest)
		for _, p := range applicable {
			for i, r := range p.Adopted.Rules {
				if r.Category != domain.AllCategories && r.Category != ff.fee.Category {
					continue
				}
				if r.Max.IsZero() {
					line.Breaches = append(line.Breaches, breachOf(domain.FlagFeeProhibited, p, r))
					continue
				}
				key := capKey{p.AdoptedEvent, i}
				cs := caps[key]
				if cs == nil {
					cs = &capState{policy: p, rule: r, max: r.Max.Amount.Decimal(), rates: v.m.rates}
					if caps == nil {
						caps = map[capKey]*capState{}
					}
					caps[key] = cs
					j.caps = append(j.caps, cs)
				}
				cs.add(line)
			}
		}
		line.settleOwed()
	}
	return j
}

// capKey is a cap rule of one version of a policy (its adoption event): each version counts the fees paid
// while it is in force.
type capKey struct {
	policy domain.EventID
	rule   int
}

func newFeeLine(ff feeFact) *FeeLine {
	f := ff.fee
	return &FeeLine{EventID: ff.ID.String(), FeeID: f.FeeID, At: ff.OccurredAt, RecordedAt: ff.RecordedAt,
		Category: f.Category, Label: f.Label, Amount: f.Amount, Payer: f.Payer, PayerID: f.PayerID,
		PayeeID: f.PayeeID, Method: f.Method, id: ff.ID, amount: f.Amount.Amount.Decimal()}
}

func breachOf(code string, p *Policy, r domain.Rule) Breach {
	return Breach{Code: code, PolicyID: p.ID, PolicyName: p.Adopted.Name, Authority: p.Adopted.Authority,
		Category: r.Category, Max: r.Max, policy: p.AdoptedEvent, repayment: p.Adopted.Repayment()}
}

// add counts a worker-paid fee against the cap; the part of it above the cap is owed back. A fee in another
// currency than the cap's is converted into it at the fee's occurred_at (spec section 7), and its part above
// the cap is owed back in its own currency, in proportion; without a rate it is not judged.
func (cs *capState) add(line *FeeLine) {
	amount, converted := line.amount, line.Amount.Currency != cs.rule.Max.Currency
	if converted {
		c, ok := cs.rates.Convert(line.Amount, cs.rule.Max.Currency, line.At)
		if !ok {
			cs.notJudged = append(cs.notJudged, line)
			return
		}
		amount = c.To.Amount.Decimal()
		cs.converted = append(cs.converted, c)
	}
	prev := cs.total
	cs.total = domain.AddExact(cs.total, amount)
	cs.fees = append(cs.fees, line)
	if domain.CompareExact(cs.total, cs.max) <= 0 {
		return
	}
	if cs.raisedBy == nil {
		cs.raisedBy = line
	}
	over := decimal.Min(amount, cs.total.Sub(decimal.Max(prev, cs.max)))
	if converted {
		over = owedInFeeCurrency(line.amount, amount, over)
	}
	line.Breaches = append(line.Breaches, breachOf(domain.FlagFeeCapExceeded, cs.policy, cs.rule))
	if over.GreaterThan(line.owed) {
		line.owed = over
	}
}

// owedInFeeCurrency is the part of a converted fee above a cap, in the fee's own currency: the fee in
// proportion to the part over the cap of its converted amount; the whole fee when all of it is over.
func owedInFeeCurrency(fee, converted, overConverted decimal.Decimal) decimal.Decimal {
	if overConverted.Equal(converted) || converted.IsZero() {
		return fee
	}
	return domain.DivRoundHalfEven(fee.Mul(overConverted), converted, 2)
}

// settleOwed fixes what a breaching fee owes back and its repayment window. A prohibited or illegitimate fee
// is owed whole; a fee over a cap owes the part above it. The window is the strictest breached policy's
// repayment_days (the default for a deposit or bribe no policy covers).
func (l *FeeLine) settleOwed() {
	if len(l.Breaches) == 0 {
		return
	}
	l.repayDays = -1
	for _, b := range l.Breaches {
		if b.Code != domain.FlagFeeCapExceeded {
			l.owed = l.amount
		}
		if b.PolicyID != "" && (l.repayDays < 0 || b.repayment < l.repayDays) {
			l.repayDays = b.repayment
		}
	}
	if l.repayDays < 0 {
		l.repayDays = domain.DefaultRepaymentDays
	}
	l.deadline = l.RecordedAt.Add(time.Duration(l.repayDays) * 24 * time.Hour)
	l.Deadline = &l.deadline
	owed := domain.Money{Amount: domain.Amount(domain.FormatAmount(l.owed)), Currency: l.Amount.Currency}
	l.Owed = &owed // its own: a fee.reimbursement_overdue flag's details keep it, and not the line
}

// allocateRefunds applies reimbursements to the fees they name, and the rest to the oldest breaching fees of
// the same currency.
func (j *feeJudgement) allocateRefunds(refunds []refundFact) {
	byID := map[string]*FeeLine{}
	for _, l := range j.lines {
		if _, dup := byID[l.FeeID]; !dup {
			byID[l.FeeID] = l
		}
	}
	for _, r := range refunds {
		left := r.refund.Amount.Amount.Decimal()
		if l := byID[r.refund.FeeID]; l != nil && l.Amount.Currency == r.refund.Amount.Currency {
			left = l.take(r, left, l.amount)
		}
		for _, l := range j.lines {
			if !left.IsPositive() {
				break
			}
			if l.owed.IsPositive() && l.Amount.Currency == r.refund.Amount.Currency {
				left = l.take(r, left, l.owed)
			}
		}
	}
	for _, l := range j.lines {
		if len(l.refunds) > 0 {
			l.reimbursed = domain.Money{Amount: domain.Amount(domain.FormatAmount(l.refunded(time.Time{}))), Currency: l.Amount.Currency}
			l.Reimbursed = &l.reimbursed
		}
	}
}

// take applies up to the fee's remaining room (limit minus what is already applied) from a reimbursement.
func (l *FeeLine) take(r refundFact, left, limit decimal.Decimal) decimal.Decimal {
	room := domain.SubExact(limit, l.refunded(time.Time{}))
	if !room.IsPositive() {
		return left
	}
	amt := decimal.Min(room, left)
	l.refunds = append(l.refunds, allocation{refund: r, amount: amt})
	return left.Sub(amt)
}

// refunded sums the reimbursement applied to the fee, by a time (zero: all).
func (l *FeeLine) refunded(by time.Time) decimal.Decimal {
	sum := decimal.Zero
	for _, a := range l.refunds {
		if by.IsZero() || !a.refund.OccurredAt.After(by) {
			sum = domain.AddExact(sum, a.amount)
		}
	}
	return sum
}

// outstanding is what is still owed back at the clock.
func (l *FeeLine) outstanding() decimal.Decimal {
	if left := domain.SubExact(l.owed, l.refunded(time.Time{})); left.IsPositive() {
		return left
	}
	return decimal.Zero
}
