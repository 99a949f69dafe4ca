package projections

import (
	"fmt"
	"slices"

	"github.com/fairtrail/fairtrail/domain"
)

// Audit groupings.
const (
	ByBuyer    = "buyer"
	ByEmployer = "employer"
	ByAgency   = "agency"
	ByJobOrder = "job-order"
)

// Groupings lists the accepted values of AuditQuery.By.
var Groupings = []string{ByBuyer, ByEmployer, ByAgency, ByJobOrder}

// AuditQuery selects and groups an audit. BuyerID restricts it to that buyer's supply chain; By groups the rows
// (ByBuyer when empty).
type AuditQuery struct {
	BuyerID string
	By      string
}

// AuditRow is one group's figures. A worker counts once in every group it belongs to (under every agency of
// its chain, under every buyer its job order names).
type AuditRow struct {
	Group          string         `json:"group"`
	Key            string         `json:"key"`
	Name           string         `json:"name,omitempty"`
	JobOrders      int            `json:"job_orders"`
	Workers        int            `json:"workers"`
	FlaggedWorkers int            `json:"flagged_workers"`
	Flags          map[string]int `json:"flags"`
	WorkerPaid     []domain.Money `json:"worker_paid_fees"`
	Reimbursed     []domain.Money `json:"reimbursed"`
	Outstanding    []domain.Money `json:"outstanding"`
	WageShortfall  []domain.Money `json:"estimated_wage_shortfall"`

	jobOrders                                      map[string]bool
	lastJobOrder                                   string
	counts                                         flagCounts
	workerPaid, reimbursed, outstanding, shortfall tally
}

// Audit rolls up workers, flags and money per group.
func (v *View) Audit(q AuditQuery) ([]AuditRow, error) {
	by := q.By
	if by == "" {
		by = ByBuyer
	}
	if !slices.Contains(Groupings, by) {
		return nil, fmt.Errorf("audit: unknown grouping %q (one of %v)", by, Groupings)
	}
	rows := map[string]*AuditRow{}
	row := func(key string) *AuditRow {
		r := rows[key]
		if r == nil {
			r = &AuditRow{Group: by, Key: key, Flags: map[string]int{}, jobOrders: map[string]bool{},
				workerPaid: tally{}, reimbursed: tally{}, outstanding: tally{}, shortfall: tally{}}
			if o := v.m.orgs[key]; o != nil {
				r.Name = o.Name
			}
			rows[key] = r
		}
		return r
	}
	ids := v.m.WorkerIDs()
	v.warm(ids)
	for _, id := range ids {
		j := v.m.judgement(v, id)
		if q.BuyerID != "" && !slices.Contains(j.buyers, q.BuyerID) {
			continue
		}
		counts := j.counts
		if j.clockedAt(v.clock) {
			counts = flagCounts{}
			counts.add(j.flagsAt(v.clock))
		}
		for _, key := range groupKeys(j, by, q.BuyerID) {
			row(key).addWorker(j, &counts)
		}
	}
	for _, id := range v.m.JobOrderIDs() {
		jo := v.jobOrder(id)
		if jo == nil || q.BuyerID != "" && !slices.Contains(jo.BuyerIDs, q.BuyerID) {
			continue
		}
		for _, key := range jobOrderKeys(jo, by, q.BuyerID) {
			r := row(key)
			r.jobOrders[jo.ID] = true
			r.counts.add(jo.flags())
		}
	}
	out := make([]AuditRow, 0, len(rows))
	for _, key := range sortedKeys(rows) {
		r := rows[key]
		r.JobOrders = len(r.jobOrders)
		r.Flags = r.counts.byCode()
		r.WorkerPaid, r.Reimbursed = r.workerPaid.money(), r.reimbursed.money()
		r.Outstanding, r.WageShortfall = r.outstanding.money(), r.shortfall.money()
		out = append(out, *r)
	}
	return out, nil
}

func (r *AuditRow) addWorker(j *judgement, counts *flagCounts) {
	r.Workers++
	if j.jobOrder != "" && j.jobOrder != r.lastJobOrder {
		r.jobOrders[j.jobOrder] = true
		r.lastJobOrder = j.jobOrder
	}
	if counts.total() > 0 {
		r.FlaggedWorkers++
	}
	r.counts.addAll(counts)
	r.workerPaid.addAll(j.workerPaid)
	r.reimbursed.addAll(j.reimbursed)
	r.outstanding.addAll(j.outstanding)
	r.shortfall.addAll(j.shortfall)
}

// groupKeys are the groups a worker belongs to.
func groupKeys(j *judgement, by, buyer string) []string {
	switch by {
	case ByEmployer:
		return nonEmpty(j.employer)
	case ByAgency:
		return j.agencies
	case ByJobOrder:
		return nonEmpty(j.jobOrder)
	}
	if buyer != "" {
		return []string{buyer}
	}
	return j.buyers
}

func jobOrderKeys(jo *JobOrder, by, buyer string) []string {
	switch by {
	case ByEmployer:
		return nonEmpty(jo.EmployerID)
	case ByAgency:
		keys := make([]string, 0, len(jo.Chain))
		for _, e := range jo.Chain {
			if !slices.Contains(keys, e.AgencyID) {
				keys = append(keys, e.AgencyID)
			}
		}
		return keys
	case ByJobOrder:
		return []string{jo.ID}
	}
	if buyer != "" {
		return []string{buyer}
	}
	return jo.BuyerIDs
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}
