package api_test

import (
	"fmt"
	"net/http"
	"testing"
)

// TestJobOrderTakeoverAndBuyerRemoval: an employer may not issue a job order that has workers it did not
// recruit (and then read them), nor drop a buyer by re-issuing its job order, nor move a worker out of a
// buyer's view; an admin may do the last two.
func TestJobOrderTakeoverAndBuyerRemoval(t *testing.T) {
	f := newFixture(t, true)
	f.mustPost("admin", []any{recruit(400, "w-orphan", "jo-orphan", "ag-a"), recruit(401, "w-own", "jo-own", "emp-b")})
	runPosts(t, f, []postCase{
		{name: "an employer issues a job order whose workers another party recruited", key: "empB", status: 404,
			code: "not_found", paths: []string{"data.job_order_id"}, body: issue(402, "jo-orphan", "emp-b", "buyer-b")},
		{name: "the employer the recruitment names issues it", key: "empB", status: 201,
			body: issue(403, "jo-own", "emp-b", "buyer-b")},
		{name: "a re-issue dropping a buyer", key: "empA", status: 403, code: "forbidden", paths: []string{"data.buyer_ids"},
			body: issue(404, "jo-ab", "emp-a", "buyer-a")},
		{name: "a re-issue dropping a buyer named earlier in the request", key: "empA", status: 403,
			paths: []string{"[1].data.buyer_ids"}, body: []any{issue(405, "jo-n", "emp-a", "buyer-a", "buyer-b"),
				issue(406, "jo-n", "emp-a", "buyer-b")}},
		{name: "a re-issue adding a buyer", key: "empA", status: 201, body: issue(407, "jo-ab", "emp-a", "buyer-b", "buyer-a", "buyer-c")},
		{name: "an agency moves a worker to another job order", key: "agA", status: 403, paths: []string{"data.job_order_id"},
			body: recruit(408, "w-ab1", "jo-a", "ag-a")},
	})
	if w := f.get("/v1/workers/w-orphan", "empB"); w.Code != http.StatusNotFound {
		t.Errorf("the employer reads a worker it did not recruit: %d", w.Code)
	}
	if w := f.get("/v1/workers/w-ab1", "buyerB"); w.Code != http.StatusOK {
		t.Fatalf("buyer-b lost w-ab1: %d", w.Code)
	}
	// Changing buyers is an admin act, recorded under the admin's organisation.
	f.mustPost("admin", issue(409, "jo-ab", "emp-a", "buyer-a"))
	if w := f.get("/v1/workers/w-ab1", "buyerB"); w.Code != http.StatusNotFound {
		t.Errorf("after the admin's re-issue buyer-b still reads w-ab1: %d", w.Code)
	}
}

// TestPartyClaims: what an employer or agency key may say about other organisations (see the README's API
// section): it may not claim that another organisation paid, repaid or engaged.
func TestPartyClaims(t *testing.T) {
	f := newFixture(t, true)
	payment := func(n int, payer, payee string) map[string]any {
		return ev(uuid(n), "JobOrderPaymentMade", "2024-01-05T00:00:00Z", map[string]any{"job_order_id": "jo-a",
			"payer_id": payer, "payee_id": payee, "amount": map[string]any{"amount": "500.00", "currency": "USD"}, "label": "demand letter"})
	}
	paidBy := func(n int, payer, payerID, payee string) map[string]any {
		e := fee(n, "w-a1", "visa", "100.00")
		d := e["data"].(map[string]any)
		d["payer"], d["payee_id"] = payer, payee
		if payerID != "" {
			d["payer_id"] = payerID
		}
		return e
	}
	repaid := func(n int, by string) map[string]any {
		return ev(uuid(n), "FeeReimbursed", "2024-06-01T00:00:00Z", map[string]any{"worker_id": "w-a1",
			"reimbursement_id": fmt.Sprintf("r-%d", n), "amount": map[string]any{"amount": "10.00", "currency": "NPR"}, "paid_by": by})
	}
	runPosts(t, f, []postCase{
		{name: "an employer says another engaged an agency", key: "empA", body: engage(500, "jo-a", "ag-x", "emp-b"),
			status: 403, code: "forbidden", paths: []string{"data.engaged_by"}},
		{name: "an employer engages an agency itself", key: "empA", body: engage(501, "jo-a", "ag-x", "emp-a"), status: 201},
		{name: "an agency records a payment between two others", key: "agA", body: payment(502, "ag-b", "emp-a"),
			status: 403, paths: []string{"data.payer_id"}},
		{name: "an agency records a payment it made", key: "agA", body: payment(503, "ag-a", "emp-a"), status: 201},
		{name: "an employer records a payment it received", key: "empA", body: payment(504, "ag-b", "emp-a"), status: 201},
		{name: "an employer claims another employer paid a fee", key: "empA", body: paidBy(505, "employer", "emp-b", "ag-a"),
			status: 403, paths: []string{"data.payer_id"}},
		{name: "an agency claims an unnamed employer paid a fee it did not receive", key: "agA",
			body: paidBy(506, "employer", "", "sub-a"), status: 403, paths: []string{"data.payer_id"}},
		{name: "an employer records a fee it paid", key: "empA", body: paidBy(507, "employer", "emp-a", "ag-a"), status: 201},
		{name: "an agency records a fee it received from the employer", key: "agA", body: paidBy(508, "employer", "emp-a", "ag-a"),
			status: 201},
		{name: "an agency records a fee the worker paid to someone else", key: "agA", body: paidBy(509, "worker", "", "sub-a"),
			status: 201},
		{name: "an agency claims the employer repaid the worker", key: "agA", body: repaid(510, "emp-a"), status: 403,
			paths: []string{"data.paid_by"}},
		{name: "an agency records its own repayment", key: "agA", body: repaid(511, "ag-a"), status: 201},
		{name: "an admin records any claim", key: "admin", body: repaid(512, "emp-a"), status: 201},
	})
}
