package projections

import (
	"slices"
	"time"

	"github.com/fairtrail/fairtrail/domain"
)

// illegitimateFlags: fee.illegitimate, a deposit or bribe paid by the worker.
func illegitimateFlags(ws *workerState, c *ruleContext) []domain.Flag {
	var out []domain.Flag
	for _, l := range c.fees.lines {
		if !slices.ContainsFunc(l.Breaches, func(b Breach) bool { return b.Code == domain.FlagFeeIllegitimate }) {
			continue
		}
		f := flagFor(domain.FlagFeeIllegitimate, ws.owner(), l.At, l.id)
		f.Amounts = []domain.Money{l.Amount}
		f.Details = FeeIllegitimateDetails{Category: l.Category, FeeID: l.FeeID, Label: l.Label, Method: l.Method,
			PayeeID: l.PayeeID, Payer: l.Payer, Reason: "a worker paid a " + l.Category}
		out = append(out, f)
	}
	return out
}

// prohibitedFlags: fee.prohibited, one per fee, listing every rule that caps its category at 0.
func prohibitedFlags(ws *workerState, c *ruleContext) []domain.Flag {
	var out []domain.Flag
	for _, l := range c.fees.lines {
		n := 0
		for _, b := range l.Breaches {
			if b.Code == domain.FlagFeeProhibited {
				n++
			}
		}
		if n == 0 {
			continue
		}
		rules := l.Breaches[:n:n] // every breach a prohibition, as most are: the fee's own, shared (read only)
		if n < len(l.Breaches) {
			rules = make([]Breach, 0, n)
			for _, b := range l.Breaches {
				if b.Code == domain.FlagFeeProhibited {
					rules = append(rules, b)
				}
			}
		}
		f := flagFor(domain.FlagFeeProhibited, ws.owner(), l.At, l.id)
		f.Amounts = []domain.Money{l.Amount}
		f.Details = FeeProhibitedDetails{Category: l.Category, FeeID: l.FeeID, Label: l.Label, Method: l.Method,
			PayeeID: l.PayeeID, Payer: l.Payer, Rules: rules}
		out = append(out, f)
	}
	return out
}

// capFlags: fee.cap_exceeded, one per breached cap rule, with the amount over the cap.
func capFlags(ws *workerState, c *ruleContext) []domain.Flag {
	var out []domain.Flag
	for _, cs := range c.fees.caps {
		if cs.raisedBy == nil {
			continue
		}
		ids := make([]domain.EventID, len(cs.fees))
		feeIDs := make([]string, len(cs.fees))
		for i, l := range cs.fees {
			ids[i], feeIDs[i] = l.id, l.FeeID
		}
		over := domain.Money{Amount: domain.Amount(domain.FormatAmount(cs.total.Sub(cs.max))), Currency: cs.rule.Max.Currency}
		f := flagFor(domain.FlagFeeCapExceeded, ws.owner(), cs.raisedBy.At, ids...)
		f.Amounts = []domain.Money{over}
		f.Details = FeeCapExceededDetails{Cap: cs.rule.Max, Category: cs.rule.Category, Conversions: cs.converted,
			FeeIDs: feeIDs, NotJudged: notJudged(cs), OverCap: over,
			Rule:       breachOf(domain.FlagFeeCapExceeded, cs.policy, cs.rule),
			WorkerPaid: domain.Money{Amount: domain.Amount(domain.FormatAmount(cs.total)), Currency: cs.rule.Max.Currency}}
		f.EventIDs = appendRateEvidence(f.EventIDs, cs.converted)
		out = append(out, f)
	}
	return out
}

// notJudged lists the fees a cap could not judge: in another currency, with no rate to convert them (nil for
// none).
func notJudged(cs *capState) []NotJudgedFee {
	if len(cs.notJudged) == 0 {
		return nil
	}
	nj := make([]NotJudgedFee, len(cs.notJudged))
	for i, l := range cs.notJudged {
		reason := "currency differs from the cap's and no rates table is loaded"
		if cs.rates.Len() > 0 {
			reason = "currency differs from the cap's and no published rate converts " + l.Amount.Currency + " to " +
				cs.rule.Max.Currency + " on or before " + l.At.UTC().Format(time.DateOnly)
		}
		nj[i] = NotJudgedFee{Amount: l.Amount, EventID: l.EventID, FeeID: l.FeeID, Reason: reason}
	}
	return nj
}

// appendRateEvidence adds the rates tables that conversions used to a flag's evidence, once each.
func appendRateEvidence(ids []string, conversions []domain.Conversion) []string {
	for _, c := range conversions {
		if !slices.Contains(ids, c.Rate.EventID) {
			ids = append(ids, c.Rate.EventID)
		}
	}
	return ids
}

// overdueFlags: fee.reimbursement_overdue, for each breaching fee not fully reimbursed (same currency) within
// its repayment window from recorded_at, raised at the deadline: a query at a clock shows those whose deadline
// it has passed.
func overdueFlags(ws *workerState, c *ruleContext) []domain.Flag {
	var out []domain.Flag
	for _, l := range c.fees.lines {
		if !l.owed.IsPositive() || l.Deadline == nil {
			continue
		}
		byDeadline := l.refunded(*l.Deadline)
		if domain.CompareExact(byDeadline, l.owed) >= 0 {
			continue
		}
		ids := []domain.EventID{l.id}
		for _, a := range l.refunds {
			ids = append(ids, a.refund.ID)
		}
		short := domain.Money{Amount: domain.Amount(domain.FormatAmount(domain.SubExact(l.owed, byDeadline))), Currency: l.Amount.Currency}
		f := flagFor(domain.FlagReimbursementOverdue, ws.owner(), *l.Deadline, ids...)
		f.Amounts = []domain.Money{short}
		f.Details = ReimbursementOverdueDetails{Category: l.Category, Deadline: *l.Deadline, FeeID: l.FeeID,
			Label: l.Label, Method: l.Method, Owed: l.Owed, PayeeID: l.PayeeID, Payer: l.Payer,
			OutstandingNow:       domain.Money{Amount: domain.Amount(domain.FormatAmount(l.outstanding())), Currency: l.Amount.Currency},
			RecordedAt:           l.RecordedAt,
			ReimbursedByDeadline: domain.Money{Amount: domain.Amount(domain.FormatAmount(byDeadline)), Currency: l.Amount.Currency},
			RepaymentDays:        l.repayDays}
		out = append(out, f)
	}
	return out
}
