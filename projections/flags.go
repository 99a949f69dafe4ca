package projections

import (
	"cmp"
	"slices"
	"strings"

	"github.com/fairtrail/fairtrail/domain"
)

// FlagQuery selects flags; empty fields select everything.
type FlagQuery struct {
	WorkerID   string
	JobOrderID string
	BuyerID    string
	EmployerID string
	AgencyID   string
	// Code keeps flags whose code starts with it ("fee." or "fee.prohibited").
	Code string
	// WorkersOnly leaves out the job orders' own flags (a listing made worker by worker adds them once).
	WorkersOnly bool `json:"-"`
}

// Flags returns the flags the query selects, ordered by raised_at, code, worker and job order.
func (v *View) Flags(q FlagQuery) []domain.Flag {
	out := []domain.Flag{}
	keep := func(f domain.Flag) bool { return strings.HasPrefix(f.Code, q.Code) }
	ids := v.workerIDs(q)
	v.warm(ids)
	for _, id := range ids {
		j := v.m.judgement(v, id)
		if !j.matches(q) {
			continue
		}
		for _, f := range j.flagsAt(v.clock) {
			if keep(f) {
				out = append(out, f)
			}
		}
	}
	if q.WorkerID == "" && !q.WorkersOnly {
		for _, id := range v.jobOrderIDs(q) {
			jo := v.jobOrder(id)
			if jo == nil || !jobOrderMatches(jo, q) {
				continue
			}
			for _, f := range jobOrderFlags(jo) {
				if keep(f) {
					out = append(out, f)
				}
			}
		}
	}
	slices.SortStableFunc(out, CompareFlags)
	return out
}

// CompareFlags is the order of a flag listing: raised_at, code, worker, job order, evidence.
func CompareFlags(a, b domain.Flag) int {
	return cmp.Or(a.RaisedAt.Compare(b.RaisedAt), cmp.Compare(a.Code, b.Code), cmp.Compare(a.WorkerID, b.WorkerID),
		cmp.Compare(a.JobOrderID, b.JobOrderID), slices.Compare(a.EventIDs, b.EventIDs))
}

func (v *View) workerIDs(q FlagQuery) []string {
	switch {
	case q.WorkerID != "":
		return []string{q.WorkerID}
	case q.JobOrderID != "":
		if jf := v.m.jobOrders[q.JobOrderID]; jf != nil {
			return slices.Sorted(slices.Values(jf.workers))
		}
		return nil
	}
	return v.m.WorkerIDs()
}

func (v *View) jobOrderIDs(q FlagQuery) []string {
	if q.JobOrderID != "" {
		return []string{q.JobOrderID}
	}
	return v.m.JobOrderIDs()
}

func (j *judgement) matches(q FlagQuery) bool {
	return j != nil &&
		(q.JobOrderID == "" || j.jobOrder == q.JobOrderID) &&
		(q.BuyerID == "" || slices.Contains(j.buyers, q.BuyerID)) &&
		(q.EmployerID == "" || j.employer == q.EmployerID) &&
		(q.AgencyID == "" || slices.Contains(j.agencies, q.AgencyID))
}

func jobOrderMatches(jo *JobOrder, q FlagQuery) bool {
	if q.AgencyID != "" {
		if _, ok := jo.engaged(q.AgencyID); !ok && !jo.paidBy(q.AgencyID) {
			return false
		}
	}
	return (q.BuyerID == "" || slices.Contains(jo.BuyerIDs, q.BuyerID)) &&
		(q.EmployerID == "" || jo.EmployerID == q.EmployerID)
}

func (jo *JobOrder) paidBy(org string) bool {
	return slices.ContainsFunc(jo.Payments, func(p Payment) bool { return p.PayerID == org })
}

// reverseFeeFlags: chain.reverse_fee, money an agency paid up to the employer side of the job order.
func reverseFeeFlags(jo *JobOrder) []domain.Flag {
	var out []domain.Flag
	for _, p := range jo.Payments {
		if !jo.reverseFee(p) {
			continue
		}
		d := ReverseFeeDetails{EmployerID: jo.EmployerID, Label: p.Label, PayeeID: p.PayeeID, PayerID: p.PayerID}
		out = append(out, domain.Flag{Code: domain.FlagReverseFee, JobOrderID: jo.ID, BuyerIDs: jo.BuyerIDs,
			EventIDs: []string{p.EventID}, RaisedAt: p.At, Amounts: []domain.Money{p.Amount}, Details: d})
	}
	return out
}
