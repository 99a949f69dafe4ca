package projections_test

import (
	"testing"

	"github.com/fairtrail/fairtrail/domain"
)

const (
	substitution  = domain.FlagContractSubstitution
	belowJobOrder = domain.FlagContractBelowJobOrder
	missingBefore = domain.FlagContractMissingBefore
	signedAfter   = domain.FlagContractSignedAfter
	language      = domain.FlagContractLanguage
	noWorkerCopy  = domain.FlagContractNoWorkerCopy
)

// journey signs a first contract before departure (day 20), leaves (day 30), arrives and is deployed, then signs
// a second contract after arrival (day 35).
func journey(first, later domain.Terms, extra ...step) []step {
	return world(append([]step{
		on(20, "c1", contract("c-1", domain.StagePreDeparture, first)),
		on(30, "departed", departed()),
		on(31, "arrived", arrived()),
		on(32, "deployed", deployed()),
		on(35, "c2", contract("c-2", domain.StagePostArrival, later)),
	}, extra...)...)
}

// substituted expects c2 flagged against the first contract c1.
func substituted() flagWant { return raised(substitution, "c2", "c1") }

func TestContractFlags(t *testing.T) { runFlagCases(t, contractCases()) }

func contractCases() []flagCase {
	var cases []flagCase
	cases = append(cases, substitutionCases()...)
	cases = append(cases, belowJobOrderCases()...)
	return append(cases, languageAndCopyCases()...)
}

func substitutionCases() []flagCase {
	return []flagCase{
		{
			name:  "a post-arrival contract paying 1200 instead of 1500 MYR a month for 24 months is a substitution 7200.00 MYR short",
			steps: journey(terms(), terms(paying("1200.00 MYR/month"))),
			want:  []flagWant{substituted().amount("7200.00 MYR").with(changes("wage"))},
		},
		{
			name:   "a later contract with the same terms is no substitution",
			steps:  journey(terms(), terms()),
			misses: []string{substitution},
		},
		{
			name: "a later contract with better terms (more pay, fewer hours, more rest, a lower deduction) is no substitution",
			steps: journey(terms(), terms(paying("1600.00 MYR/month"), hours(44), restDays(2),
				deducting("housing 50.00 MYR/month"))),
			misses: []string{substitution},
		},
		{
			name:  "a later contract with more hours per week is a substitution with no wage shortfall",
			steps: journey(terms(), terms(hours(60))),
			want:  []flagWant{substituted().amount().with(changes("hours_per_week"))},
		},
		{
			name:  "a later contract with fewer rest days is a substitution",
			steps: journey(terms(), terms(restDays(0))),
			want:  []flagWant{substituted().with(changes("rest_days_per_week"))},
		},
		{
			name:  "a later contract for a shorter duration is a substitution",
			steps: journey(terms(), terms(months(12))),
			want:  []flagWant{substituted().amount().with(changes("duration_months"))},
		},
		{
			name:  "a later contract for a longer duration is a substitution too: the spec says duration changed",
			steps: journey(terms(), terms(months(36))),
			want:  []flagWant{substituted().with(changes("duration_months"))},
		},
		{
			name:  "the shortfall is counted over the new contract's duration: 300 MYR a month for 12 months is 3600.00 MYR",
			steps: journey(terms(), terms(paying("1200.00 MYR/month"), months(12))),
			want:  []flagWant{substituted().amount("3600.00 MYR").with(changes("wage", "duration_months"))},
		},
		{
			name:  "a later contract for another position is a substitution",
			steps: journey(terms(), terms(position("packer"))),
			want:  []flagWant{substituted().with(changes("position"))},
		},
		{
			name:  "a later contract with another employer is a substitution",
			steps: journey(terms(), terms(employedBy("emp-2"))),
			want:  []flagWant{substituted().with(changes("employer_id"))},
		},
		{
			name:  "a later contract at another worksite is a substitution",
			steps: journey(terms(), terms(worksite("MY", "Johor Bahru"))),
			want:  []flagWant{substituted().with(changes("worksite"))},
		},
		{
			name:  "a later contract adding a deduction is a substitution",
			steps: journey(terms(), terms(deducting("housing 100.00 MYR/month", "transport 50.00 MYR/month"))),
			want:  []flagWant{substituted().with(changes("deductions"))},
		},
		{
			name:  "a later contract with a higher deduction is a substitution",
			steps: journey(terms(), terms(deducting("housing 150.00 MYR/month"))),
			want:  []flagWant{substituted().with(changes("deductions"))},
		},
		{
			name:  "a housing deduction of 25.00 MYR a week (108.33 MYR a month) is higher than 100.00 MYR a month",
			steps: journey(terms(), terms(deducting("housing 25.00 MYR/week"))),
			want:  []flagWant{substituted().with(changes("deductions"))},
		},
		{
			name:   "a housing deduction of 23.00 MYR a week (99.67 MYR a month) is not higher than 100.00 MYR a month",
			steps:  journey(terms(), terms(deducting("housing 23.00 MYR/week"))),
			misses: []string{substitution},
		},
		{
			name:   "a later contract dropping a deduction is no substitution",
			steps:  journey(terms(), terms(deducting())),
			misses: []string{substitution},
		},
		{
			name:  "a later contract paying the same amount in another currency is a substitution",
			steps: journey(terms(), terms(paying("1500.00 USD/month"))),
			want:  []flagWant{substituted().with(changes("wage"))},
		},
		{
			name: "a second contract signed before departure is compared with the first",
			steps: world(
				on(20, "c1", contract("c-1", domain.StagePreDeparture, terms())),
				on(29, "c1b", contract("c-1b", domain.StageAtDeparture, terms(paying("1200.00 MYR/month")))),
				on(30, "departed", departed())),
			want: []flagWant{raised(substitution, "c1b", "c1").amount("7200.00 MYR")},
		},
		{
			name: "every later contract is compared with the first, not with the previous one",
			steps: journey(terms(), terms(paying("1200.00 MYR/month")),
				on(60, "c3", contract("c-3", domain.StageRenewal, terms(paying("1200.00 MYR/month"))))),
			want: []flagWant{
				substituted().amount("7200.00 MYR"),
				raised(substitution, "c3", "c1").amount("7200.00 MYR"),
			},
		},
		{
			name: "a renewal is compared with the first contract even after an equal second one",
			steps: journey(terms(), terms(),
				on(60, "c3", contract("c-3", domain.StageRenewal, terms(paying("1400.00 MYR/month"))))),
			want: []flagWant{raised(substitution, "c3", "c1").amount("2400.00 MYR")},
		},
		{
			name: "with no contract signed before departure, a later contract is compared with the job order's terms",
			steps: world(on(30, "departed", departed()),
				on(35, "c2", contract("c-2", domain.StagePostArrival, terms(paying("1200.00 MYR/month"))))),
			want: []flagWant{
				raised(substitution, "c2", "jo").amount("7200.00 MYR").with(changes("wage")),
				raised(belowJobOrder, "c2", "jo").amount("7200.00 MYR"),
				raised(missingBefore, "departed"),
				raised(signedAfter, "c2", "departed"),
			},
		},
		{
			name: "with no contract signed before departure, a later contract on the job order's terms is no substitution",
			steps: world(on(30, "departed", departed()),
				on(35, "c2", contract("c-2", domain.StagePostArrival, terms()))),
			want:   []flagWant{raised(missingBefore, "departed"), raised(signedAfter, "c2", "departed")},
			misses: []string{substitution, belowJobOrder},
		},
	}
}

func belowJobOrderCases() []flagCase {
	first := func(t domain.Terms) []step {
		return world(on(20, "c1", contract("c-1", domain.StagePreDeparture, t)), on(30, "departed", departed()))
	}
	return []flagCase{
		{
			name:   "a first contract paying less than the job order is below it, and is the baseline, not a substitution",
			steps:  first(terms(paying("1200.00 MYR/month"))),
			want:   []flagWant{raised(belowJobOrder, "c1", "jo").amount("7200.00 MYR").with(changes("wage"))},
			misses: []string{substitution},
		},
		{
			name:  "a first contract with more hours than the job order is below it",
			steps: first(terms(hours(60))),
			want:  []flagWant{raised(belowJobOrder, "c1", "jo").with(changes("hours_per_week"))},
		},
		{
			name:   "a first contract on the job order's terms is not below it",
			steps:  first(terms()),
			misses: []string{belowJobOrder},
		},
		{
			name:   "a first contract better than the job order is not below it",
			steps:  first(terms(paying("1700.00 MYR/month"), hours(40), restDays(2), deducting())),
			misses: []string{belowJobOrder},
		},
		{
			name:  "only the first contract is judged against the job order",
			steps: journey(terms(paying("1200.00 MYR/month")), terms(paying("1200.00 MYR/month"))),
			want:  []flagWant{raised(belowJobOrder, "c1", "jo")},
		},
		{
			name:   "a later contract below the job order is a substitution, not below_job_order",
			steps:  journey(terms(), terms(paying("1200.00 MYR/month"))),
			want:   []flagWant{substituted()},
			misses: []string{belowJobOrder},
		},
	}
}

func languageAndCopyCases() []flagCase {
	signed := func(opts ...contractOpt) []step {
		return world(on(20, "c1", contract("c-1", domain.StagePreDeparture, terms(), opts...)))
	}
	return []flagCase{
		{
			name:  "a contract in Malay for a worker who speaks Nepali and English is in the wrong language",
			steps: signed(inLanguage("ms")),
			want:  []flagWant{raised(language, "c1")},
		},
		{
			name:   "a contract in English, one of the worker's languages, is in a right language",
			steps:  signed(inLanguage("en")),
			misses: []string{language},
		},
		{
			name: "each contract in a language the worker does not speak is flagged",
			steps: world(on(20, "c1", contract("c-1", domain.StagePreDeparture, terms(), inLanguage("ms"))),
				on(30, "departed", departed()),
				on(35, "c2", contract("c-2", domain.StagePostArrival, terms(), inLanguage("ms")))),
			want: []flagWant{raised(language, "c1"), raised(language, "c2")},
		},
		{
			name:  "a contract signed with worker_copy false is flagged",
			steps: signed(withoutWorkerCopy),
			want:  []flagWant{raised(noWorkerCopy, "c1")},
		},
		{
			name:   "a contract whose copy was given to the worker is not flagged",
			steps:  signed(),
			misses: []string{noWorkerCopy},
		},
	}
}

func TestWageComparisons(t *testing.T) { runFlagCases(t, wageCases()) }

// wageCases compare wages paid per hour, day and week with the monthly baseline of 1500 MYR, 48 hours and one
// rest day a week, through the spec's monthly equivalents.
func wageCases() []flagCase {
	later := func(opts ...termsOpt) []step { return journey(terms(), terms(opts...)) }
	return []flagCase{
		{
			name:  "7.00 MYR an hour for 48 hours a week is 1456 MYR a month: 1056.00 MYR short over 24 months",
			steps: later(paying("7.00 MYR/hour")),
			want:  []flagWant{substituted().amount("1056.00 MYR").with(changes("wage"))},
		},
		{
			name:   "8.00 MYR an hour for 48 hours a week is 1664 MYR a month: no substitution",
			steps:  later(paying("8.00 MYR/hour")),
			misses: []string{substitution},
		},
		{
			name:  "55.00 MYR a day with one rest day is 1430 MYR a month: 1680.00 MYR short",
			steps: later(paying("55.00 MYR/day")),
			want:  []flagWant{substituted().amount("1680.00 MYR").with(changes("wage"))},
		},
		{
			name:   "60.00 MYR a day with one rest day is 1560 MYR a month: no substitution",
			steps:  later(paying("60.00 MYR/day")),
			misses: []string{substitution},
		},
		{
			name:  "65.00 MYR a day with two rest days is 1408.33 MYR a month: 2200.00 MYR short",
			steps: later(paying("65.00 MYR/day"), restDays(2)),
			want:  []flagWant{substituted().amount("2200.00 MYR").with(changes("wage"))},
		},
		{
			name:  "340.00 MYR a week is 1473.33 MYR a month: 640.00 MYR short",
			steps: later(paying("340.00 MYR/week")),
			want:  []flagWant{substituted().amount("640.00 MYR").with(changes("wage"))},
		},
		{
			name:   "350.00 MYR a week is 1516.67 MYR a month: no substitution",
			steps:  later(paying("350.00 MYR/week")),
			misses: []string{substitution},
		},
		{
			name:  "8.00 MYR an hour for 40 hours a week is 1386.67 MYR a month: 2720.00 MYR short, fewer hours being no change for the worse",
			steps: later(paying("8.00 MYR/hour"), hours(40)),
			want:  []flagWant{substituted().amount("2720.00 MYR").with(changes("wage"))},
		},
		{
			name:  "against an hourly baseline of 8.00 MYR for 48 hours (1664 MYR a month), 1600 MYR a month is 1536.00 MYR short",
			steps: journey(terms(paying("8.00 MYR/hour")), terms(paying("1600.00 MYR/month"))),
			want:  []flagWant{substituted().amount("1536.00 MYR").with(changes("wage"))},
		},
		{
			name: "against an hourly baseline of 9.00 MYR for 40 hours (1560 MYR a month), 1560 MYR a month is no substitution",
			steps: journey(terms(paying("9.00 MYR/hour"), hours(40)),
				terms(paying("1560.00 MYR/month"), hours(40))),
			misses: []string{substitution, belowJobOrder},
		},
	}
}

func TestDepartureFlags(t *testing.T) { runFlagCases(t, departureCases()) }

func departureCases() []flagCase {
	return []flagCase{
		{
			name:  "a worker who departed with no contract signed left without one",
			steps: world(on(30, "departed", departed())),
			want:  []flagWant{raised(missingBefore, "departed")},
		},
		{
			name:  "a worker deployed with no contract and no departure recorded was deployed without one",
			steps: world(on(32, "deployed", deployed())),
			want:  []flagWant{raised(missingBefore, "deployed")},
		},
		{
			// Spec section 4: "the worker departed or was deployed with no contract signed before that moment";
			// a worker deployed has left, whatever a departure recorded later says.
			name: "a worker deployed with no contract, before a departure recorded later, was deployed without one",
			steps: world(on(30, "deployed", deployed()),
				on(31, "c1", contract("c-1", domain.StagePostArrival, terms())),
				on(32, "departed", departed())),
			want: []flagWant{raised(missingBefore, "deployed"), raised(signedAfter, "c1", "deployed")},
		},
		{
			name:   "a worker who signed a contract before departure has nothing missing",
			steps:  journey(terms(), terms()),
			misses: []string{missingBefore, signedAfter},
		},
		{
			name:   "a worker who signed a contract before being deployed, with no departure recorded, has nothing missing",
			steps:  world(on(20, "c1", contract("c-1", domain.StagePreDeparture, terms())), on(32, "deployed", deployed())),
			misses: []string{missingBefore, signedAfter},
		},
		{
			// A contract signed at the very moment the worker left was signed before that moment, whichever of the
			// two events the store holds first.
			name:   "a contract signed at the same instant as departure was signed before departure",
			steps:  world(on(30, "c1", contract("c-1", domain.StageAtDeparture, terms())), on(30, "departed", departed())),
			misses: []string{missingBefore, signedAfter},
		},
		{
			name:   "a contract recorded after a departure of the same instant was still signed before departure",
			steps:  world(on(30, "departed", departed()), on(30, "c1", contract("c-1", domain.StageAtDeparture, terms()))),
			misses: []string{missingBefore, signedAfter},
		},
		{
			name:   "a recruited worker who has not left yet has no contract missing",
			steps:  world(),
			misses: []string{missingBefore},
		},
		{
			name: "a first contract signed after departure was signed after departure, and missing when the worker left",
			steps: world(on(30, "departed", departed()), on(31, "arrived", arrived()),
				on(33, "c2", contract("c-2", domain.StagePostArrival, terms()))),
			want: []flagWant{raised(missingBefore, "departed"), raised(signedAfter, "c2", "departed")},
		},
		{
			name:   "a second contract signed after departure does not make the first one late",
			steps:  journey(terms(), terms()),
			misses: []string{signedAfter},
		},
		{
			// Reading: one flag for the journey, at the first moment the worker left without a contract.
			name: "a worker who left without a contract and signed one before deployment is flagged once, at departure",
			steps: world(on(30, "departed", departed()),
				on(31, "c2", contract("c-2", domain.StageAtDeparture, terms())),
				on(32, "deployed", deployed())),
			want: []flagWant{raised(missingBefore, "departed"), raised(signedAfter, "c2", "departed")},
		},
	}
}
