package projections

import (
	"slices"
	"time"

	"github.com/fairtrail/fairtrail/domain"
)

func feeDetails(l *FeeLine) map[string]any {
	d := map[string]any{"fee_id": l.FeeID, "category": l.Category, "payer": l.Payer, "payee_id": l.PayeeID,
		"method": l.Method}
	if l.Label != "" {
		d["label"] = l.Label
	}
	return d
}

// illegitimateFlags: fee.illegitimate, a deposit or bribe paid by the worker.
func illegitimateFlags(ws *workerState, c *ruleContext) []domain.Flag {
	var out []domain.Flag
	for _, l := range c.fees.lines {
		if !slices.ContainsFunc(l.Breaches, func(b Breach) bool { return b.Code == domain.FlagFeeIllegitimate }) {
			continue
		}
		f := flagFor(domain.FlagFeeIllegitimate, ws.owner(), l.At, l.id)
		f.Amounts, f.Details = []domain.Money{l.Amount}, feeDetails(l)
		f.Details["reason"] = "a worker paid a " + l.Category
		out = append(out, f)
	}
	return out
}

// prohibitedFlags: fee.prohibited, one per fee, listing every rule that caps its category at 0.
func prohibitedFlags(ws *workerState, c *ruleContext) []domain.Flag {
	var out []domain.Flag
	for _, l := range c.fees.lines {
		var rules []Breach
		for _, b := range l.Breaches {
			if b.Code == domain.FlagFeeProhibited {
				rules = append(rules, b)
			}
		}
		if len(rules) > 0 {
			f := flagFor(domain.FlagFeeProhibited, ws.owner(), l.At, l.id)
			f.Amounts, f.Details = []domain.Money{l.Amount}, feeDetails(l)
			f.Details["rules"] = rules
			out = append(out, f)
		}
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
		f.Details = map[string]any{
			"rule":        breachOf(domain.FlagFeeCapExceeded, cs.policy, cs.rule),
			"category":    cs.rule.Category,
			"fee_ids":     feeIDs,
			"worker_paid": domain.Money{Amount: domain.Amount(domain.FormatAmount(cs.total)), Currency: cs.rule.Max.Currency},
			"cap":         cs.rule.Max,
			"over_cap":    over,
		}
		if len(cs.converted) > 0 {
			f.Details["conversions"] = cs.converted
			f.EventIDs = appendRateEvidence(f.EventIDs, cs.converted)
		}
		if len(cs.notJudged) > 0 {
			f.Details["not_judged"] = notJudged(cs)
		}
		out = append(out, f)
	}
	return out
}

// notJudged lists the fees a cap could not judge: in another currency, with no rate to convert them.
func notJudged(cs *capState) []map[string]any {
	nj := make([]map[string]any, len(cs.notJudged))
	for i, l := range cs.notJudged {
		reason := "currency differs from the cap's and no rates table is loaded"
		if cs.rates.Len() > 0 {
			reason = "currency differs from the cap's and no published rate converts " + l.Amount.Currency + " to " +
				cs.rule.Max.Currency + " on or before " + l.At.UTC().Format(time.DateOnly)
		}
		nj[i] = map[string]any{"fee_id": l.FeeID, "event_id": l.EventID, "amount": l.Amount, "reason": reason}
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
		if !byDeadline.LessThan(l.owed) {
			continue
		}
		ids := []domain.EventID{l.id}
		for _, a := range l.refunds {
			ids = append(ids, a.refund.ID)
		}
		short := domain.Money{Amount: domain.Amount(domain.FormatAmount(l.owed.Sub(byDeadline))), Currency: l.Amount.Currency}
		f := flagFor(domain.FlagReimbursementOverdue, ws.owner(), *l.Deadline, ids...)
		f.Amounts, f.Details = []domain.Money{short}, feeDetails(l)
		f.Details["owed"] = l.Owed
		f.Details["reimbursed_by_deadline"] = domain.Money{Amount: domain.Amount(domain.FormatAmount(byDeadline)), Currency: l.Amount.Currency}
		f.Details["outstanding_now"] = domain.Money{Amount: domain.Amount(domain.FormatAmount(l.outstanding())), Currency: l.Amount.Currency}
		f.Details["recorded_at"] = l.RecordedAt
		f.Details["repayment_days"] = l.repayDays
		f.Details["deadline"] = *l.Deadline
		out = append(out, f)
	}
	return out
}
