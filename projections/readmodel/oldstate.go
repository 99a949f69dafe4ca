package readmodel

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
)

// oldWorker is what a catch-up reads of a worker's stored judgement before it writes the worker again: its
// row's parties, ledger and contribution, and its flags.
type oldWorker struct {
	jobOrder, employer, buyers, agencies, ledger, contribution string
	flags                                                      []storedFlag
}

// Reads of the stored judgements of a catch-up's workers, named by a JSON array, in one statement each.
const (
	oldWorkersSQL = `SELECT worker_id, job_order_id, employer_id, buyer_ids, agencies, ledger, contribution
		FROM workers WHERE worker_id IN (SELECT value FROM json_each(?))`
	oldFlagsSQL = `SELECT worker_id, ` + storedFlagCols + ` FROM flags
		WHERE worker_id IN (SELECT value FROM json_each(?))`
)

// readOld reads at once the stored judgements of the workers a catch-up is about to write again (those not
// stored are new), in two statements rather than three per worker.
func (w *writer) readOld(ctx context.Context, workers []string) error {
	ids, _ := json.Marshal(workers) // strings: cannot fail
	olds := make(map[string]*oldWorker, len(workers))
	rows, err := w.query(ctx, oldWorkersSQL, string(ids))
	if err != nil {
		return fmt.Errorf("read model: read the stored workers: %w", err)
	}
	for rows.Next() {
		var id string
		o := &oldWorker{}
		if err := rows.Scan(&id, &o.jobOrder, &o.employer, &o.buyers, &o.agencies, &o.ledger, &o.contribution); err != nil {
			rows.Close()
			return fmt.Errorf("read model: read the stored workers: %w", err)
		}
		olds[id] = o
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return fmt.Errorf("read model: read the stored workers: %w", err)
	}
	if err := w.readOldFlags(ctx, string(ids), olds); err != nil {
		return err
	}
	w.olds = olds
	return nil
}

// readOldFlags reads the flags of the workers ids names (a JSON array) into their olds.
func (w *writer) readOldFlags(ctx context.Context, ids string, olds map[string]*oldWorker) error {
	rows, err := w.query(ctx, oldFlagsSQL, ids)
	if err != nil {
		return fmt.Errorf("read model: read the stored workers' flags: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var f storedFlag
		if err := f.scan(rows, &id); err != nil {
			return fmt.Errorf("read model: read the stored workers' flags: %w", err)
		}
		if o := olds[id]; o != nil { // a worker's flags are written with its row
			o.flags = append(o.flags, f)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read model: read the stored workers' flags: %w", err)
	}
	return nil
}

// oldOf returns an owner's stored contribution (read with query) and flags (selected by the condition on
// flags), and whether it is stored: a worker's as readOld read it, when it did.
func (w *writer) oldOf(ctx context.Context, query, flagsWhere, id string) (string, []storedFlag, bool, error) {
	if w.olds != nil && flagsWhere == workerFlagsWhere {
		o, ok := w.olds[id]
		if !ok {
			return "", nil, false, nil
		}
		return o.contribution, o.flags, true, nil
	}
	var text string
	err := w.queryRow(ctx, query, id).Scan(&text)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil, false, nil
	}
	if err != nil {
		return "", nil, false, err
	}
	stored, err := w.storedFlags(ctx, flagsWhere, id)
	return text, stored, true, err
}

// forgetWorkerScopesSQL deletes the scope rows of a worker's flags (through flags_worker) in the scopes a JSON
// array names: each (scope, flag) a search of flag_scopes' key.
const forgetWorkerScopesSQL = `DELETE FROM flag_scopes
	WHERE scope IN (SELECT id FROM scopes WHERE name IN (SELECT value FROM json_each(?)))
	AND k IN (SELECT k FROM flags WHERE worker_id = ?)`

// forgetScopes deletes the scope rows of an owner's stored flags (selected by the condition on flags): a
// worker's with one statement (forgetWorkerScopesSQL), a job order's (whose flags share the worker
// id ” in that index) a flag and scope at a time.
func (w *writer) forgetScopes(ctx context.Context, stored []storedFlag, scopes []string, flagsWhere, id string) error {
	if len(stored) == 0 {
		return nil
	}
	if flagsWhere == workerFlagsWhere {
		_, err := w.exec(ctx, forgetWorkerScopesSQL, jsonList(scopes), id)
		return err
	}
	for _, f := range stored {
		for _, sc := range scopes {
			if _, err := w.exec(ctx, "DELETE FROM flag_scopes WHERE scope = "+scopeIDSQL+" AND k = ?", sc, f.k); err != nil {
				return err
			}
		}
	}
	return nil
}
