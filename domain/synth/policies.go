package synth

import (
	"time"

	"github.com/fairtrail/fairtrail/domain"
)

// emitPolicies emits the fee policies: every buyer's employer-pays code, and the national rules of the
// corridors (caps, prohibitions, one cap revised during the dataset, one buyer code retired).
func (g *generator) emitPolicies() {
	recorded := g.start.Add(day + 3*hour)
	for i, b := range buyerTable {
		g.buyerCodes(i, b, recorded.Add(time.Duration(i)*10*time.Minute))
	}
	for i, p := range g.nationalPolicies() {
		g.emit(recorded.Add(2*hour+time.Duration(i)*10*time.Minute), p)
	}
}

// buyerCodes emits buyer i's employer-pays code: no worker pays any fee. A buyer whose code takes effect later
// first had an older code that forbade only recruitment fees, retired the day before.
func (g *generator) buyerCodes(i int, b buyerSpec, recorded time.Time) {
	buyer := g.w.buyers[i].id
	from := g.start.AddDate(0, b.codeFrom, 0)
	if b.codeFrom > 0 {
		oldFrom := earliest(time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC), g.start)
		old := "pol-" + buyer + "-fee-policy-2019"
		g.emit(recorded, &domain.PolicyAdopted{
			PolicyID: old, Name: b.name + " recruitment fee policy (2019)", Authority: "buyer code",
			Scope: domain.Scope{BuyerID: buyer}, EffectiveFrom: dateOnly(oldFrom),
			Rules:         []domain.Rule{{Category: domain.FeeRecruitment, Max: zero("USD")}},
			RepaymentDays: intp(b.repaymentDays),
		})
		recorded = from.AddDate(0, -1, 0).Add(4 * hour)
		g.emit(from.Add(-day+5*hour), &domain.PolicyRetired{PolicyID: old, EffectiveTo: dateOnly(from.Add(-day))})
	}
	g.emit(recorded, &domain.PolicyAdopted{
		PolicyID: "pol-" + buyer + "-employer-pays", Name: b.name + " Employer Pays Principle",
		Authority: "buyer code", Scope: domain.Scope{BuyerID: buyer}, EffectiveFrom: dateOnly(from),
		Rules:         []domain.Rule{{Category: domain.AllCategories, Max: zero("USD")}},
		RepaymentDays: intp(b.repaymentDays),
	})
}

// nationalPolicies are the corridors' national rules. Bangladesh's cap for Malaysia is revised 18 months in.
func (g *generator) nationalPolicies() []*domain.PolicyAdopted {
	revised := g.start.AddDate(0, 18, 0)
	bdOld := earliest(time.Date(2017, 8, 1, 0, 0, 0, 0, time.UTC), revised.AddDate(-1, 0, 0))
	return []*domain.PolicyAdopted{
		{
			PolicyID: "pol-np-fvft-2015", Name: "Nepal Free Visa Free Ticket", Authority: "Nepal FVFT 2015",
			Scope: domain.Scope{Origin: "NP"}, EffectiveFrom: "2015-07-06",
			Rules: []domain.Rule{{Category: domain.FeeRecruitment, Max: money(10000_00, "NPR")},
				{Category: domain.FeeVisa, Max: zero("NPR")}, {Category: domain.FeeTravel, Max: zero("NPR")}},
		},
		{
			PolicyID: "pol-bd-ceiling-my-2017", Name: "Bangladesh migration cost ceiling: Malaysia",
			Authority: "Bangladesh MoEWOE cost ceiling 2017", Scope: domain.Scope{Origin: "BD", Destination: "MY"},
			EffectiveFrom: dateOnly(bdOld), EffectiveTo: dateOnly(revised.Add(-day)),
			Rules:         []domain.Rule{{Category: domain.AllCategories, Max: money(160000_00, "BDT")}},
			RepaymentDays: intp(120),
		},
		{
			PolicyID: "pol-bd-ceiling-my-revised", Name: "Bangladesh migration cost ceiling: Malaysia (revised)",
			Authority: "Bangladesh MoEWOE cost ceiling, revised", Scope: domain.Scope{Origin: "BD", Destination: "MY"},
			EffectiveFrom: dateOnly(revised),
			Rules:         []domain.Rule{{Category: domain.AllCategories, Max: money(78990_00, "BDT")}},
			RepaymentDays: intp(120),
		},
		{
			PolicyID: "pol-bd-ceiling-sa-2017", Name: "Bangladesh migration cost ceiling: Saudi Arabia",
			Authority: "Bangladesh MoEWOE cost ceiling 2017", Scope: domain.Scope{Origin: "BD", Destination: "SA"},
			EffectiveFrom: dateOnly(bdOld),
			Rules:         []domain.Rule{{Category: domain.AllCategories, Max: money(165000_00, "BDT")}},
		},
		{
			PolicyID: "pol-ph-no-placement-fee", Name: "Philippines: no placement fee for factory workers",
			Authority: "DMW placement fee rule", Scope: domain.Scope{Origin: "PH"}, EffectiveFrom: "2016-05-01",
			Rules:         []domain.Rule{{Category: domain.FeeRecruitment, Max: zero("PHP")}},
			RepaymentDays: intp(60),
		},
		{
			PolicyID: "pol-in-service-charge", Name: "India: cap on recruiting agents' service charge",
			Authority: "India Emigration Rules 1983", Scope: domain.Scope{Origin: "IN"}, EffectiveFrom: "2015-01-01",
			Rules: []domain.Rule{{Category: domain.FeeRecruitment, Max: money(30000_00, "INR")}},
		},
		{
			PolicyID: "pol-id-zero-placement-cost", Name: "Indonesia: zero placement cost for migrant workers",
			Authority: "BP2MI Regulation 9/2020", Scope: domain.Scope{Origin: "ID"}, EffectiveFrom: "2021-07-15",
			Rules: []domain.Rule{{Category: domain.FeeRecruitment, Max: zero("IDR")},
				{Category: domain.FeeVisa, Max: zero("IDR")}, {Category: domain.FeeTravel, Max: zero("IDR")}},
			RepaymentDays: intp(120),
		},
		{
			PolicyID: "pol-qa-no-recruitment-fees", Name: "Qatar: no recruitment fees charged to workers",
			Authority: "Qatar Labour Law No. 14 of 2004, art. 33", Scope: domain.Scope{Destination: "QA"},
			EffectiveFrom: "2004-11-01",
			Rules:         []domain.Rule{{Category: domain.FeeRecruitment, Max: zero("QAR")}},
		},
		{
			PolicyID: "pol-ae-employer-bears-costs", Name: "UAE: employer bears recruitment costs",
			Authority: "UAE Federal Decree-Law No. 33 of 2021", Scope: domain.Scope{Destination: "AE"},
			EffectiveFrom: "2022-02-02",
			Rules:         []domain.Rule{{Category: domain.AllCategories, Max: zero("AED")}},
			RepaymentDays: intp(60),
		},
	}
}

// zero is a cap of nothing: the worker may pay nothing.
func zero(currency string) domain.Money { return domain.Money{Amount: "0", Currency: currency} }

// intp points at a copy of v.
func intp(v int) *int { return &v }

// earliest is the earlier of a and b.
func earliest(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
