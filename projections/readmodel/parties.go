package readmodel

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
)

// WorkerParties is what the workers table records of a worker's parties, as its last judgement found them
// (projections.Judgement): the job order of its first recruitment, that job order's employer and buyers, and
// the agencies it is counted under (its recruiter and every agency engaged on the job order). A job order's
// events judge its workers again, so the row follows who is party to the job order.
type WorkerParties struct {
	JobOrderID string
	EmployerID string
	BuyerIDs   []string
	Agencies   []string
}

// workerPartiesSQL reads a worker's row of parties.
const workerPartiesSQL = "SELECT job_order_id, employer_id, buyer_ids, agencies FROM workers WHERE worker_id = ?"

// WorkerParties returns the parties the model records of a worker, and false for a worker it does not hold
// (one no event of its own names): one indexed read, where a view of the worker reads and applies its
// events. The model must be caught up as far as the read must see.
func (m *Model) WorkerParties(ctx context.Context, id string) (WorkerParties, bool, error) {
	// A context without cancellation: the driver watches a cancellable one in a goroutine of its own (see Flags).
	rows, err := m.stmts.query(context.WithoutCancel(ctx), m.db, workerPartiesSQL, id)
	if err != nil {
		return WorkerParties{}, false, fmt.Errorf("read model: parties of worker %s: %w", id, err)
	}
	defer rows.Close()
	if !rows.Next() {
		return WorkerParties{}, false, wrapParties(id, rows.Err())
	}
	var p WorkerParties
	var buyers, agencies string
	if err := rows.Scan(&p.JobOrderID, &p.EmployerID, &buyers, &agencies); err != nil {
		return WorkerParties{}, false, wrapParties(id, err)
	}
	if err := errors.Join(json.Unmarshal([]byte(buyers), &p.BuyerIDs), json.Unmarshal([]byte(agencies), &p.Agencies)); err != nil {
		return WorkerParties{}, false, wrapParties(id, err)
	}
	return p, true, wrapParties(id, rows.Close())
}

// wrapParties gives an error of WorkerParties its context (nil stays nil).
func wrapParties(id string, err error) error {
	if err != nil {
		return fmt.Errorf("read model: parties of worker %s: %w", id, err)
	}
	return nil
}
