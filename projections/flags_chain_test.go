package projections_test

import (
	"testing"

	"github.com/fairtrail/fairtrail/domain"
)

const (
	retained     = domain.FlagDocumentRetained
	undisclosed  = domain.FlagUndisclosedIntermediary
	reverseFee   = domain.FlagReverseFee
	recruitLoan  = domain.FlagRecruitmentLoan
	passport     = domain.DocPassport
	idCard       = domain.DocIDCard
	workPermit   = domain.DocWorkPermit
	recruitedBy  = "recruit"
	brokerNobody = "broker-x"
)

func TestDocumentChainAndDebtFlags(t *testing.T) { runFlagCases(t, documentAndChainCases()) }

func documentAndChainCases() []flagCase {
	var cases []flagCase
	cases = append(cases, documentCases()...)
	cases = append(cases, chainCases()...)
	cases = append(cases, loanCases()...)
	return append(cases, cleanJourney())
}

func documentCases() []flagCase {
	return []flagCase{
		{
			name:  "a passport held by the origin agency and never returned is retained",
			steps: world(on(22, "kept", retainedDoc(passport, originAgency))),
			want:  []flagWant{raised(retained, "kept")},
		},
		{
			name:  "an id card held by the employer and never returned is retained",
			steps: world(on(40, "kept", retainedDoc(idCard, employer1))),
			want:  []flagWant{raised(retained, "kept")},
		},
		{
			name:   "a passport returned to the worker is no longer retained",
			steps:  world(on(22, "kept", retainedDoc(passport, originAgency)), on(29, "returned", returnedDoc(passport))),
			misses: []string{retained},
		},
		{
			name: "a passport returned and then taken again is retained",
			steps: world(on(22, "kept", retainedDoc(passport, originAgency)), on(29, "returned", returnedDoc(passport)),
				on(40, "kept-again", retainedDoc(passport, employer1))),
			want: []flagWant{raised(retained, "kept-again")},
		},
		{
			name:   "a work permit held by the employer is not a passport or id card and is not flagged",
			steps:  world(on(40, "kept", retainedDoc(workPermit, employer1))),
			misses: []string{retained},
		},
		{
			name:   "the worker's contract held by the agency is not flagged",
			steps:  world(on(22, "kept", retainedDoc(domain.DocContract, originAgency))),
			misses: []string{retained},
		},
		{
			name:  "an id card returned does not return the passport",
			steps: world(on(22, "kept", retainedDoc(passport, originAgency)), on(29, "returned", returnedDoc(idCard))),
			want:  []flagWant{raised(retained, "kept")},
		},
		{
			name:   "a passport held by an auditor, neither employer nor agency, is not flagged",
			steps:  world(on(22, "kept", retainedDoc(passport, auditor1))),
			misses: []string{retained},
		},
		{
			// The DocumentRetained of a later holder says where the passport is now: no longer with the agency.
			name: "a passport the agency held and that the worker then holds is no longer retained",
			steps: world(on(22, "kept", retainedDoc(passport, originAgency)),
				on(29, "worker-holds", retainedDoc(passport, worker1))),
			misses: []string{retained},
		},
		{
			name: "a passport the employer held and that a worker organisation then holds for the worker is no longer retained",
			steps: world(on(0, "org-wo", org("wo-1", domain.RoleWorkerOrganisation, "MY")),
				on(22, "kept", retainedDoc(passport, employer1)), on(29, "wo-holds", retainedDoc(passport, "wo-1"))),
			misses: []string{retained},
		},
		{
			name: "a passport the employer handed to its agency is retained by each",
			steps: world(on(22, "kept", retainedDoc(passport, employer1)),
				on(29, "handed-on", retainedDoc(passport, destAgency))),
			want: []flagWant{raised(retained, "kept"), raised(retained, "handed-on")},
		},
		{
			name: "a passport held by the worker and then by the employer is retained",
			steps: world(on(22, "worker-holds", retainedDoc(passport, worker1)),
				on(29, "kept", retainedDoc(passport, employer1))),
			want: []flagWant{raised(retained, "kept")},
		},
	}
}

func chainCases() []flagCase {
	recruitedByOrg := func(by string, extra ...step) []step {
		return replace(world(extra...), on(5, recruitedBy, recruited(worker1, by)))
	}
	return []flagCase{
		{
			name:  "a worker recruited by a broker no one engaged on the job order came through an undisclosed intermediary",
			steps: recruitedByOrg(brokerNobody),
			want:  []flagWant{raised(undisclosed, recruitedBy)},
		},
		{
			name:  "a worker recruited by a registered sub-agent not engaged on the job order came through an undisclosed intermediary",
			steps: recruitedByOrg(subAgent),
			want:  []flagWant{raised(undisclosed, recruitedBy)},
		},
		{
			name:   "a worker recruited by an agency engaged on the job order came through the disclosed chain",
			steps:  world(),
			misses: []string{undisclosed},
		},
		{
			name:   "a worker recruited by a sub-agent engaged on the job order came through the disclosed chain",
			steps:  recruitedByOrg(subAgent, on(4, "engage-sub", engaged(subAgent, domain.AgencySubAgent, originAgency))),
			misses: []string{undisclosed},
		},
		{
			name:   "a worker recruited directly by the employer came through no intermediary",
			steps:  recruitedByOrg(employer1),
			misses: []string{undisclosed},
		},
		{
			name:  "an origin agency paying the employer for the job order is a reverse fee",
			steps: world(on(4, "pay", paymentMade(originAgency, employer1, "3000.00 USD"))),
			want:  []flagWant{raisedOnJobOrder(reverseFee, "pay").amount("3000.00 USD")},
		},
		{
			name:  "an origin agency paying the destination agency, the employer's agent, is a reverse fee",
			steps: world(on(4, "pay", paymentMade(originAgency, destAgency, "3000.00 USD"))),
			want:  []flagWant{raisedOnJobOrder(reverseFee, "pay").amount("3000.00 USD")},
		},
		{
			name:   "the employer paying its agency is no reverse fee",
			steps:  world(on(4, "pay", paymentMade(employer1, destAgency, "3000.00 USD"))),
			misses: []string{reverseFee},
		},
		{
			name: "an agency paying the sub-agent it engaged is no reverse fee",
			steps: world(on(4, "engage-sub", engaged(subAgent, domain.AgencySubAgent, originAgency)),
				on(6, "pay", paymentMade(originAgency, subAgent, "100000.00 NPR"))),
			misses: []string{reverseFee},
		},
	}
}

func loanCases() []flagCase {
	return []flagCase{
		{
			name:  "a loan the worker took to pay for recruitment is flagged",
			steps: world(on(9, "loan", loan("l-1", domain.LoanRecruitment, "60000.00 NPR"))),
			want:  []flagWant{raised(recruitLoan, "loan").amount("60000.00 NPR")},
		},
		{
			name:   "a loan taken for another purpose is not flagged",
			steps:  world(on(9, "loan", loan("l-1", domain.LoanOther, "60000.00 NPR"))),
			misses: []string{recruitLoan},
		},
	}
}

// cleanJourney is recruitment done right: every step of the journey and no flag.
func cleanJourney() flagCase {
	return flagCase{
		name: "a fair journey from recruitment to deployment raises no flag",
		steps: journey(terms(), terms(),
			on(0, "code", buyerCode("code-a", "buyer-a", rule("*", "0"))),
			on(4, "pay", paymentMade(employer1, destAgency, "3000.00 USD")),
			on(8, "fee", fee("f-1", recruitmentFee, "50000.00 NPR", paidBy(domain.PayerEmployer))),
			on(9, "loan", loan("l-1", domain.LoanOther, "20000.00 NPR")),
			on(22, "kept", retainedDoc(passport, originAgency)),
			on(29, "returned", returnedDoc(passport)),
			on(33, "permit", retainedDoc(workPermit, employer1))),
		clock:  day(400),
		misses: domain.FlagCodes,
	}
}
