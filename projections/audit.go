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
// (ByBuyer when empty). Currency, when set, adds to each row its money in that currency (AuditRow.Converted)
// and its recruitment cost in months of wages (AuditRow.MonthsOfWages).
type AuditQuery struct {
	BuyerID  string
	By       string
	Currency string
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
	// Converted and MonthsOfWages are set by an audit in a reporting currency (AuditQuery.Currency).
	Converted     *Converted     `json:"converted,omitempty"`
	MonthsOfWages *MonthsSummary `json:"months_of_wages,omitempty"`

	jobOrders                                      map[string]bool
	substituted                                    int // workers with a substitution flag
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
	ru := rollUp{by: by, buyer: q.BuyerID}
	if q.Currency != "" {
		if err := CheckCurrency(q.Currency); err != nil {
			return nil, fmt.Errorf("audit: %w", err)
		}
		ru.money = NewCurrencyRollups(v.Reporting(q.Currency))
	}
	rows := v.rollUp(ru)
	out := make([]AuditRow, 0, len(rows))
	for _, key := range sortedKeys(rows) {
		out = append(out, *rows[key])
	}
	if ru.money != nil {
		ru.money.Fill(out)
	}
	return out, nil
}

// rollUp says what View.rollUp groups: the grouping, the buyer whose supply chain it is ("" for every one),
// the employer whose job orders it is ("" for every one), and, when money is set, the rollups each worker's
// ledger is added to (money in a reporting currency, months of wages).
type rollUp struct {
	by, buyer, employer string
	money               *CurrencyRollups
}

// rollUp rolls the workers and job orders in scope up into rows by group, the figures finished.
func (v *View) rollUp(q rollUp) map[string]*AuditRow {
	rows := map[string]*AuditRow{}
	ids := v.m.WorkerIDs()
	v.warm(ids)
	for _, id := range ids {
		j := v.m.judgement(v, id)
		if !v.inScope(q, j.jobOrder, j.buyers) {
			continue
		}
		counts := j.counts
		if j.clockedAt(v.clock) {
			counts = flagCounts{}
			counts.add(j.flagsAt(v.clock))
		}
		keys := groupKeys(j, q.by, q.buyer)
		for _, key := range keys {
			v.row(rows, q.by, key).addWorker(j, &counts)
		}
		if q.money != nil {
			q.money.Add(keys, &j.ledger)
		}
	}
	for _, id := range v.m.JobOrderIDs() {
		jo := v.jobOrder(id)
		if jo == nil || !v.inScope(q, jo.ID, jo.BuyerIDs) {
			continue
		}
		for _, key := range jobOrderKeys(jo, q.by, q.buyer) {
			r := v.row(rows, q.by, key)
			r.jobOrders[jo.ID] = true
			r.counts.add(jobOrderFlags(jo))
		}
	}
	for _, r := range rows {
		r.JobOrders = len(r.jobOrders)
		r.Flags = r.counts.byCode()
		r.WorkerPaid, r.Reimbursed = r.workerPaid.money(), r.reimbursed.money()
		r.Outstanding, r.WageShortfall = r.outstanding.money(), r.shortfall.money()
	}
	return rows
}

// row returns a group's row, started empty (named after the organisation it is keyed by) the first time.
func (v *View) row(rows map[string]*AuditRow, by, key string) *AuditRow {
	r := rows[key]
	if r == nil {
		r = &AuditRow{Group: by, Key: key, Flags: map[string]int{}, jobOrders: map[string]bool{},
			workerPaid: tally{}, reimbursed: tally{}, outstanding: tally{}, shortfall: tally{}}
		if o := v.m.orgs.org(key); o != nil {
			r.Name = o.Name
		}
		rows[key] = r
	}
	return r
}

// inScope reports whether a worker or job order (its job order and buyers) is in a roll-up's scope.
func (v *View) inScope(q rollUp, jobOrder string, buyers []string) bool {
	if q.buyer != "" && !slices.Contains(buyers, q.buyer) {
		return false
	}
	if q.employer == "" {
		return true
	}
	jo := v.jobOrder(jobOrder)
	return jo != nil && jo.EmployerID == q.employer
}

func (r *AuditRow) addWorker(j *judgement, counts *flagCounts) {
	r.Workers++
	if counts.substituted() {
		r.substituted++
	}
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
