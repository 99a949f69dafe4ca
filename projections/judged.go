package projections

import (
	"slices"

	"github.com/fairtrail/fairtrail/domain"
)

// judged is what a worker's state says with no clock, before any report is made of it: its parties, the
// flags that do not depend on the clock, its money summed and dated, and the context its rules read
// (clockedFlags raises the flags that depend on the clock from it). Judge and the judgement cache take
// nothing else; buildReport adds the report's presentation (contracts, documents, loans, timeline) around it.
type judged struct {
	employer string
	agencies []string
	fees     *feeJudgement
	flags    []domain.Flag
	// workerPaid, reimbursed, outstanding and shortfall sum the worker's money by currency.
	workerPaid, reimbursed, outstanding, shortfall domain.Sums
	// ledger is the worker's dated money, gathered only when dated is set.
	ledger Ledger
	dated  bool
	c      *ruleContext
}

// judge judges a worker's state: its fees against the policies, its flags, and its money, with its ledger
// when dated (a report does not show it).
func (v *View) judge(ws *workerState, dated bool) *judged {
	jd := &judged{workerPaid: domain.Sums{}, reimbursed: domain.Sums{}, outstanding: domain.Sums{},
		shortfall: domain.Sums{}, dated: dated}
	jd.employer, jd.agencies = parties(ws)
	jd.fees = v.judgeFees(ws)
	jd.fees.allocateRefunds(ws.refunds)
	for _, l := range jd.fees.lines {
		jd.addFee(l)
	}
	for _, rf := range ws.refunds {
		e := rf.refund
		jd.reimbursed.Add(e.Amount.Currency, e.Amount.Amount.Decimal())
		if dated {
			jd.ledger.Reimbursed = append(jd.ledger.Reimbursed, DatedMoney{At: rf.OccurredAt, Money: e.Amount})
		}
	}
	for i, c := range ws.contracts {
		cmp := ws.compared[i]
		if ws.hasBase && ws.base.contract == i || cmp == nil || cmp.Shortfall == nil {
			continue // the baseline, or a contract no worse in wage
		}
		jd.shortfall.Add(cmp.Shortfall.Currency, cmp.Shortfall.Amount.Decimal())
		if dated {
			jd.ledger.Shortfall = append(jd.ledger.Shortfall, DatedMoney{At: c.OccurredAt, Money: *cmp.Shortfall})
		}
	}
	jd.c = &ruleContext{orgs: v.m.orgs, fees: jd.fees}
	jd.flags = workerFlags(ws, jd.c)
	if dated {
		jd.ledger.Months = monthsOfWages(ws, v.m.rates).CountedAs()
	}
	return jd
}

// addFee adds a judged fee to the worker's money: paid by the worker, owed back and still outstanding.
func (jd *judged) addFee(l *FeeLine) {
	if l.Payer == domain.PayerWorker {
		jd.workerPaid.Add(l.Amount.Currency, l.amount)
		if jd.dated {
			jd.ledger.Paid = append(jd.ledger.Paid, DatedMoney{At: l.At, Money: l.Amount})
		}
	}
	if !l.owed.IsPositive() {
		return
	}
	cur, outstanding := l.Amount.Currency, l.outstanding()
	jd.outstanding.Add(cur, outstanding)
	if jd.dated && l.Deadline != nil {
		jd.ledger.Owed = append(jd.ledger.Owed, OwedMoney{At: l.At, Deadline: *l.Deadline,
			Owed:        domain.Money{Amount: domain.Amount(domain.FormatAmount(l.owed)), Currency: cur},
			Outstanding: domain.Money{Amount: domain.Amount(domain.FormatAmount(outstanding)), Currency: cur}})
	}
}

// parties are the employer a worker is counted under and its agencies: its recruiter, then every agency
// engaged on its job order.
func parties(ws *workerState) (employer string, agencies []string) {
	if ws.recruited != nil {
		agencies = append(agencies, ws.recruited.RecruitedBy)
	}
	if jo := ws.jobOrder; jo != nil {
		employer = jo.EmployerID
		for _, e := range jo.Chain {
			if !slices.Contains(agencies, e.AgencyID) {
				agencies = append(agencies, e.AgencyID)
			}
		}
	}
	return employer, agencies
}
