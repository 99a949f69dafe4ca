package api

import "github.com/fairtrail/fairtrail/domain"

// claims decides what an employer or agency key may say about other organisations in the events it records
// (admin keys may say anything). The rule: a writer may name another organisation as the one it paid, engaged,
// recruited through or that holds a document, but may never claim that another organisation paid, repaid or
// engaged: those claims would take a cost off the worker's account, or put a party on the chain, on someone
// else's word.
//
//   - AgencyEngaged: engaged_by is the writer (an employer engages its agencies, an engaged agency its
//     sub-agents);
//   - JobOrderPaymentMade: the writer is the payer or the payee;
//   - FeePaid paid by an employer or agency (payer not worker): the writer is named as payer_id, or as payee_id
//     (a fee it received, from whoever paid it); a fee the worker paid may name any payee;
//   - FeeReimbursed: paid_by is the writer.
//
// A refused claim answers 403 naming the field, with nothing stored.
func claims(org string, e domain.Event, path string) *problem {
	switch e := e.(type) {
	case *domain.AgencyEngaged:
		if e.EngagedBy != org {
			return refuse(errForbidden, path, "data.engaged_by", "must be your organisation, "+org+
				": an engagement is recorded by the party that made it")
		}
	case *domain.JobOrderPaymentMade:
		if e.PayerID != org && e.PayeeID != org {
			return refuse(errForbidden, path, "data.payer_id", "you record payments you made or received: payer_id or "+
				"payee_id must be your organisation, "+org)
		}
	case *domain.FeePaid:
		if e.Payer != domain.PayerWorker && e.PayerID != org && e.PayeeID != org {
			return refuse(errForbidden, path, "data.payer_id", "must be your organisation, "+org+", unless you are the "+
				"payee: you may not claim that another organisation paid a fee")
		}
	case *domain.FeeReimbursed:
		if e.PaidBy != org {
			return refuse(errForbidden, path, "data.paid_by", "must be your organisation, "+org+
				": you may not claim that another organisation repaid a worker")
		}
	}
	return nil
}
