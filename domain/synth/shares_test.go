package synth_test

import (
	"testing"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/domain/synth"
)

// tally counts what a dataset holds.
type tally struct {
	workers, jobOrders, events      int
	types                           map[string]int
	buyers, employers               int
	payingWorkers, loanWorkers      map[string]bool
	undisclosed                     int
	depositWorkers, bribeWorkers    map[string]bool
	workerFees, reimbursedFees      int
	contracts, foreignLanguage      int
	noCopy, noContractBefore        int
	postArrival, passportsHeld      map[string]bool
	amendedOrders, reverseFeeOrders map[string]bool
	exits                           int
}

// count tallies envs.
func count(envs []domain.Envelope) tally {
	c := tally{types: map[string]int{}, payingWorkers: map[string]bool{}, loanWorkers: map[string]bool{},
		depositWorkers: map[string]bool{}, bribeWorkers: map[string]bool{}, postArrival: map[string]bool{},
		passportsHeld: map[string]bool{}, amendedOrders: map[string]bool{}, reverseFeeOrders: map[string]bool{}}
	engaged := map[string]map[string]bool{}
	langs := map[string][]string{}
	contractBefore := map[string]bool{}
	workerFee := map[string]bool{}
	reimbursed := map[string]bool{}
	c.events = len(envs)
	for _, env := range envs {
		c.types[env.Type]++
		switch e := env.Event.(type) {
		case *domain.OrganisationRegistered:
			c.buyers += b2i(e.Role == domain.RoleBuyer)
			c.employers += b2i(e.Role == domain.RoleEmployer)
		case *domain.JobOrderIssued:
			c.jobOrders++
			engaged[e.JobOrderID] = map[string]bool{e.EmployerID: true}
		case *domain.AgencyEngaged:
			engaged[e.JobOrderID][e.AgencyID] = true
		case *domain.JobOrderAmended:
			c.amendedOrders[e.JobOrderID] = true
		case *domain.JobOrderPaymentMade:
			c.reverseFeeOrders[e.JobOrderID] = true
		case *domain.WorkerRecruited:
			c.workers++
			langs[e.WorkerID] = e.Languages
			c.undisclosed += b2i(!engaged[e.JobOrderID][e.RecruitedBy])
		case *domain.FeePaid:
			if e.Payer == domain.PayerWorker {
				c.payingWorkers[e.WorkerID] = true
				c.workerFees++
				workerFee[e.FeeID] = true
				c.depositWorkers[e.WorkerID] = c.depositWorkers[e.WorkerID] || e.Category == domain.FeeDeposit
				c.bribeWorkers[e.WorkerID] = c.bribeWorkers[e.WorkerID] || e.Category == domain.FeeBribe
			}
		case *domain.FeeReimbursed:
			if e.FeeID != "" && workerFee[e.FeeID] && !reimbursed[e.FeeID] {
				reimbursed[e.FeeID] = true
				c.reimbursedFees++
			}
		case *domain.LoanTaken:
			c.loanWorkers[e.WorkerID] = c.loanWorkers[e.WorkerID] || e.Purpose == domain.LoanRecruitment
		case *domain.ContractSigned:
			c.contracts++
			c.foreignLanguage += b2i(!contains(langs[e.WorkerID], e.Language))
			c.noCopy += b2i(!e.HasWorkerCopy())
			contractBefore[e.WorkerID] = true
			c.postArrival[e.WorkerID] = c.postArrival[e.WorkerID] || e.Stage == domain.StagePostArrival
		case *domain.WorkerDeparted:
			c.noContractBefore += b2i(!contractBefore[e.WorkerID])
		case *domain.DocumentRetained:
			c.passportsHeld[e.WorkerID] = c.passportsHeld[e.WorkerID] || e.Document == domain.DocPassport
		case *domain.WorkerExited:
			c.exits++
		}
	}
	return c
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// trues counts the true values of m.
func trues(m map[string]bool) int {
	n := 0
	for _, v := range m {
		n += b2i(v)
	}
	return n
}

func TestGenerateHasPlausibleShares(t *testing.T) {
	t.Parallel()
	for _, seed := range []int64{1, 42} {
		c := count(events(t, synth.Options{Workers: 2000, Seed: seed}))
		w := float64(c.workers)
		perWorker := func(typ string) float64 { return float64(c.types[typ]) / w }
		tests := []struct {
			name   string
			got    float64
			lo, hi float64
		}{
			{"workers", w, 2000, 2000},
			// Taiwan's workers have a broker service fee deducted every month: up to 36 more events each.
			{"events per worker", float64(c.events) / w, 13, 20},
			{"buyers", float64(c.buyers), 5, 5},
			{"employers per 200 workers", float64(c.employers) / w * 200, 0.8, 1.2},
			{"visas per worker", perWorker(domain.TypeVisaIssued), 1, 1},
			{"departures per worker", perWorker(domain.TypeWorkerDeparted), 1, 1},
			{"arrivals per worker", perWorker(domain.TypeWorkerArrived), 1, 1},
			{"deployments per worker", perWorker(domain.TypeWorkerDeployed), 1, 1},
			{"fees per worker", perWorker(domain.TypeFeePaid), 5, 11},
			{"contracts per worker", perWorker(domain.TypeContractSigned), 1.2, 1.45},
			{"exits per worker", perWorker(domain.TypeWorkerExited), 0.1, 0.35},
			// Most passports are held (30-97% by destination); most are returned only when the worker leaves.
			{"returned documents per worker", perWorker(domain.TypeDocumentReturned), 0.05, 0.25},
			// 70-95% of workers pay before departure by origin, and every worker in Taiwan pays its broker.
			{"share of workers paying something", float64(len(c.payingWorkers)) / w, 0.72, 0.93},
			// Loans: 20% (Philippines) to 78% (Bangladesh) of workers, by origin.
			{"share of workers with a recruitment loan", float64(trues(c.loanWorkers)) / w, 0.30, 0.60},
			{"share recruited by an undisclosed intermediary", float64(c.undisclosed) / w, 0.015, 0.045},
			{"share of workers paying a deposit", float64(trues(c.depositWorkers)) / w, 0.01, 0.035},
			{"share of workers paying a bribe", float64(trues(c.bribeWorkers)) / w, 0.001, 0.015},
			// Nearly every fee is repaid at the 12.5% of employers under a remediation programme, 1% elsewhere: the
			// share swings with how many workers those few employers have (projections' calibration test holds
			// the concentration).
			{"share of worker-paid fees reimbursed", float64(c.reimbursedFees) / float64(c.workerFees), 0.005, 0.30},
			{"share of workers without a contract before departure", float64(c.noContractBefore) / w, 0.06, 0.11},
			{"share of workers with a post-arrival contract", float64(trues(c.postArrival)) / w, 0.28, 0.40},
			{"share of contracts in a language the worker does not speak", float64(c.foreignLanguage) /
				float64(c.contracts), 0.03, 0.08},
			{"share of contracts without a worker copy", float64(c.noCopy) / float64(c.contracts), 0.03, 0.08},
			// 30% (Taiwan) to 97% (Malaysia) by destination.
			{"share of workers whose passport is held", float64(trues(c.passportsHeld)) / w, 0.55, 0.95},
			{"share of job orders amended", float64(len(c.amendedOrders)) / float64(c.jobOrders), 0.08, 0.22},
			{"share of job orders with a reverse fee", float64(len(c.reverseFeeOrders)) / float64(c.jobOrders),
				0.05, 0.16},
			{"job orders closed per job order", float64(c.types[domain.TypeJobOrderClosed]) /
				float64(c.jobOrders), 0.4, 0.95},
			{"policies retired", float64(c.types[domain.TypePolicyRetired]), 1, 3},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if tt.got < tt.lo || tt.got > tt.hi {
					t.Errorf("seed %d: %s = %.4f, want between %.4f and %.4f", seed, tt.name, tt.got, tt.lo, tt.hi)
				}
			})
		}
	}
}
