package synth

import (
	"time"

	"github.com/fairtrail/fairtrail/domain"
)

// Indexes of the destination countries in destinations.
const (
	dMY = iota
	dSA
	dQA
	dAE
	dTW
	numDestinations
)

// destination is a country workers are recruited to, with its employers' usual terms.
type destination struct {
	code     string
	slug     string
	currency string // wages and costs paid at destination are in this currency
	usdRate  float64
	unit     int64 // wages and amounts paid at destination are multiples of this many currency units
	// passportHeld is the share of workers whose passport the employer or its agency takes and keeps.
	passportHeld float64
	// minWages are the monthly wage floors, oldest first; offers add up to wageSteps steps of wageStep.
	minWages  []datedWage
	wageStep  int64
	wageSteps int
	// languages are those contracts are written in at destination.
	languages   []string
	cities      []string
	legalSuffix string
	industries  []int
	// origins (indexes into origins) recruit for this destination, with weights.
	origins       []int
	originWeights []int
	weight        int // share of employers
	durations     []int
	deduction     deductionSpec // kind "" when job orders state none
	benefits      []string
	// always are the benefits every job order states (Qatar's food, which its minimum wage assumes is given).
	always   []string
	recovery recoverySpec
	// brokerFees is Taiwan's monthly broker service fee by year of the contract, in units of the currency,
	// deducted from every worker's wages; nil elsewhere.
	brokerFees  []int64
	licence     licenceSpec
	agencyWords []string
}

// datedWage is a monthly wage floor in force from a month on.
type datedWage struct {
	year    int
	month   time.Month
	monthly int64
}

// deductionSpec is a monthly deduction from wages that job orders commonly state.
type deductionSpec struct {
	kind   string
	lo, hi int64
}

// recoverySpec describes wage deductions that recover recruitment costs from workers after deployment.
type recoverySpec struct {
	category, label string
	share           float64 // share of paying workers whose wages are deducted
	usdLo, usdHi    float64 // monthly instalment
}

// minWage is the monthly wage floor at t.
func (d *destination) minWage(t time.Time) int64 {
	w := d.minWages[0].monthly
	for _, m := range d.minWages[1:] {
		if t.Before(time.Date(m.year, m.month, 1, 0, 0, 0, 0, time.UTC)) {
			break
		}
		w = m.monthly
	}
	return w
}

// destinations are the countries of destination, indexed by dMY...dTW. The table is never modified.
var destinations = [numDestinations]destination{
	dMY: {
		code: "MY", slug: "my", currency: "MYR", usdRate: 4.6, unit: 10, passportHeld: 0.97,
		minWages: []datedWage{{2000, 1, 1500}, {2025, 2, 1700}}, wageStep: 50, wageSteps: 6,
		languages:   []string{"ms", "en"},
		cities:      []string{"Penang", "Shah Alam", "Johor Bahru", "Klang", "Seremban", "Ipoh", "Kulim", "Senai"},
		legalSuffix: " Sdn. Bhd.", industries: []int{indElectronics, indApparel, indGloves, indFood},
		origins: []int{oNP, oBD, oID, oIN}, originWeights: []int{35, 30, 20, 15}, weight: 35,
		durations: []int{24, 36}, deduction: deductionSpec{"housing", 50, 100},
		benefits:    []string{"housing", "medical", "insurance", "return_ticket", "transport"},
		recovery:    recoverySpec{domain.FeeOther, "levy deduction", 0.12, 30, 45},
		licence:     licenceSpec{"Department of Labour Peninsular Malaysia (JTKSM)", "JTKSM-", ""},
		agencyWords: []string{"Global Manpower", "Workforce Solutions", "HR Outsourcing", "Labour Services"},
	},
	dSA: {
		code: "SA", slug: "sa", currency: "SAR", usdRate: 3.75, unit: 10, passportHeld: 0.85,
		minWages: []datedWage{{2000, 1, 1000}}, wageStep: 100, wageSteps: 6,
		languages: []string{"ar"}, cities: []string{"Riyadh", "Jeddah", "Dammam", "Jubail"},
		legalSuffix: " Co. Ltd.", industries: []int{indFood, indLogistics},
		origins: []int{oIN, oBD, oPH, oNP, oID}, originWeights: []int{35, 25, 20, 10, 10}, weight: 20,
		durations: []int{24}, deduction: deductionSpec{"food", 150, 300},
		benefits:    []string{"housing", "food", "medical", "return_ticket", "annual_leave_ticket"},
		recovery:    recoverySpec{domain.FeeDocuments, "iqama fee deduction", 0.10, 50, 150},
		licence:     licenceSpec{"Ministry of Human Resources and Social Development, Saudi Arabia", "MHRSD-", ""},
		agencyWords: []string{"Manpower Company", "Recruitment Office", "Human Resources", "Workforce Services"},
	},
	dQA: {
		code: "QA", slug: "qa", currency: "QAR", usdRate: 3.64, unit: 10, passportHeld: 0.90,
		minWages: []datedWage{{2000, 1, 1000}}, wageStep: 100, wageSteps: 4,
		languages: []string{"ar", "en"}, cities: []string{"Doha", "Al Wakrah", "Mesaieed", "Umm Salal"},
		legalSuffix: " W.L.L.", industries: []int{indFood, indLogistics},
		origins: []int{oNP, oIN, oBD, oPH}, originWeights: []int{35, 30, 20, 15}, weight: 15,
		durations: []int{24}, deduction: deductionSpec{},
		benefits:    []string{"housing", "food", "medical", "return_ticket", "annual_leave_ticket"},
		always:      []string{"food"},
		recovery:    recoverySpec{domain.FeeRecruitment, "recruitment cost recovery", 0.10, 50, 150},
		licence:     licenceSpec{"Ministry of Labour, Qatar", "MOL-RA-", ""},
		agencyWords: []string{"Manpower Recruitment", "Recruitment Services", "Human Resources", "Staffing"},
	},
	dAE: {
		code: "AE", slug: "ae", currency: "AED", usdRate: 3.67, unit: 10, passportHeld: 0.70,
		minWages: []datedWage{{2000, 1, 1000}}, wageStep: 100, wageSteps: 5,
		languages: []string{"ar", "en"}, cities: []string{"Dubai", "Abu Dhabi", "Sharjah", "Ajman"},
		legalSuffix: " L.L.C.", industries: []int{indLogistics, indApparel, indFood},
		origins: []int{oIN, oPH, oBD, oNP}, originWeights: []int{40, 25, 20, 15}, weight: 15,
		durations: []int{24}, deduction: deductionSpec{"transport", 50, 150},
		benefits:    []string{"housing", "transport", "medical", "return_ticket"},
		recovery:    recoverySpec{domain.FeeVisa, "visa cost recovery", 0.10, 50, 150},
		licence:     licenceSpec{"Ministry of Human Resources and Emiratisation (MoHRE)", "MOHRE-EA-", ""},
		agencyWords: []string{"Employment Services", "Manpower Supply", "Labour Recruitment", "Staffing Solutions"},
	},
	dTW: {
		code: "TW", slug: "tw", currency: "TWD", usdRate: 31.5, unit: 100, passportHeld: 0.30,
		minWages: []datedWage{{2000, 1, 25250}, {2023, 1, 26400}, {2024, 1, 27470}, {2025, 1, 28590}},
		wageStep: 500, wageSteps: 4,
		languages: []string{"zh"}, cities: []string{"Taoyuan", "Hsinchu", "Taichung", "Kaohsiung", "Tainan"},
		legalSuffix: " Co., Ltd.", industries: []int{indElectronics, indApparel},
		origins: []int{oPH, oID}, originWeights: []int{50, 50}, weight: 15,
		durations: []int{36}, deduction: deductionSpec{"food and lodging", 2500, 5000},
		benefits:    []string{"medical", "insurance", "overtime_pay", "return_ticket"},
		brokerFees:  []int64{1800, 1700, 1500},
		licence:     licenceSpec{"Ministry of Labor, Workforce Development Agency, Taiwan", "WDA-", ""},
		agencyWords: []string{"Manpower Agency", "International Manpower", "Human Resources", "Labor Services"},
	},
}

// Indexes of the industries in industries.
const (
	indApparel = iota
	indElectronics
	indGloves
	indFood
	indLogistics
)

// industry is a kind of factory or site, with its jobs and the buyers it supplies.
type industry struct {
	positions []string
	words     []string // for employer names
	buyers    []int    // indexes into buyerTable
}

// industries are the employers' industries. The table is never modified.
var industries = []industry{
	indApparel: {
		positions: []string{"sewing machine operator", "cutting operator", "quality inspector",
			"ironing and packing worker"},
		words:  []string{"Garments", "Apparel Manufacturing", "Textile Mills", "Knitwear"},
		buyers: []int{0, 3},
	},
	indElectronics: {
		positions: []string{"electronics assembler", "SMT machine operator", "production operator",
			"quality inspector"},
		words:  []string{"Precision Electronics", "Microtech", "Circuit Systems", "Opto Components"},
		buyers: []int{1, 2, 3},
	},
	indGloves: {
		positions: []string{"glove production operator", "dipping line operator", "packing operator"},
		words:     []string{"Glove Industries", "Latex Products", "Nitrile Technologies"},
		buyers:    []int{3, 4},
	},
	indFood: {
		positions: []string{"food processing worker", "poultry processing worker", "packing operator",
			"bakery production worker"},
		words:  []string{"Food Industries", "Poultry Processing", "Bakeries", "Seafood Products"},
		buyers: []int{4, 3},
	},
	indLogistics: {
		positions: []string{"warehouse picker", "forklift driver", "loader", "inventory clerk"},
		words:     []string{"Logistics", "Distribution Centre", "Supply Chain Services", "Cold Chain"},
		buyers:    []int{3, 4, 0},
	},
}

// buyerSpec is a brand that sources from the employers.
type buyerSpec struct {
	name, country string
	repaymentDays int
	// codeFrom is how many months after the start the buyer's employer-pays code takes effect; before, an
	// older code that forbids only recruitment fees applies, and is retired then.
	codeFrom int
}

// buyerTable lists the buyers. The table is never modified.
var buyerTable = []buyerSpec{
	{"Northwind Apparel Group", "US", 90, 0},
	{"Lumen Devices Inc.", "US", 60, 0},
	{"Sakura Home Electronics K.K.", "JP", 120, 0},
	{"Harbourline Retail plc", "GB", 90, 0},
	{"Greenvale Foods N.V.", "NL", 60, 9},
}
