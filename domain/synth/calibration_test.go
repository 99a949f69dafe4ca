package synth_test

import (
	"slices"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/domain/synth"
)

// qatarMinimumWage is Qatar's monthly basic minimum wage (Law No. 17 of 2020), which assumes the employer
// provides food and housing or pays allowances for them.
var qatarMinimumWage = decimal.NewFromInt(1000)

// TestQatarFoodIsABenefit holds every Qatari job order to its minimum wage: food is a stated benefit, never a
// deduction, and what deductions there are leave the monthly wage at or above the minimum.
func TestQatarFoodIsABenefit(t *testing.T) {
	t.Parallel()
	checked := 0
	for _, env := range events(t, synth.Options{Workers: 2000, Seed: 42}) {
		var terms domain.Terms
		switch e := env.Event.(type) {
		case *domain.JobOrderIssued:
			terms = e.Terms
		case *domain.JobOrderAmended:
			terms = e.Terms
		default:
			continue
		}
		if terms.Worksite.Country != "QA" {
			continue
		}
		checked++
		if !slices.Contains(terms.Benefits, "food") {
			t.Errorf("%s: Qatari terms without food among the benefits %v", env.Stream(), terms.Benefits)
		}
		net := terms.MonthlyWage(2)
		for _, d := range terms.Deductions {
			if d.Kind == "food" {
				t.Errorf("%s: Qatari terms deduct food", env.Stream())
			}
			net = net.Sub(d.Amount.Decimal())
		}
		if net.LessThan(qatarMinimumWage) {
			t.Errorf("%s: Qatari terms leave %s QAR a month after deductions, below the minimum %s", env.Stream(),
				net, qatarMinimumWage)
		}
	}
	if checked == 0 {
		t.Fatal("the dataset has no Qatari job order")
	}
}

// TestTaiwanBrokerFeeEveryMonth holds Taiwan's broker service fee: deducted from wages month after month, at the
// year's rate (NT$1,800, 1,700 then 1,500), from every worker deployed there.
func TestTaiwanBrokerFeeEveryMonth(t *testing.T) {
	t.Parallel()
	inTaiwan := map[string]bool{}
	fees := map[string][]string{}
	for _, env := range events(t, synth.Options{Workers: 2000, Seed: 42}) {
		switch e := env.Event.(type) {
		case *domain.WorkerDeployed:
			inTaiwan[e.WorkerID] = e.Worksite.Country == "TW"
		case *domain.FeePaid:
			if e.Label == "broker service fee" {
				fees[e.WorkerID] = append(fees[e.WorkerID], string(e.Amount.Amount))
				if e.Method != "wage_deduction" || e.Amount.Currency != "TWD" || e.Payer != domain.PayerWorker {
					t.Errorf("%s: broker fee %+v is not a worker's wage deduction in TWD", e.WorkerID, e)
				}
			}
		}
	}
	taiwan := 0
	for w, tw := range inTaiwan {
		if !tw {
			continue
		}
		taiwan++
		if len(fees[w]) == 0 {
			t.Errorf("%s works in Taiwan and pays no broker service fee", w)
			continue
		}
		for i, amount := range fees[w] {
			want := []string{"1800.00", "1700.00", "1500.00"}[min(i/12, 2)]
			if amount != want {
				t.Errorf("%s: month %d's broker fee is %s, want %s", w, i+1, amount, want)
				break
			}
		}
	}
	if taiwan == 0 {
		t.Fatal("the dataset has no worker in Taiwan")
	}
}
