package readmodel

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/projections"
)

// keptBases is how many context models (one per time filter) a Model keeps.
const keptBases = 4

// bases keeps models of the context every judgement reads (policies, organisations, exchange rates) under
// the filters last asked for, so that a partial model forks one instead of decoding and applying the context
// again for every worker or job order read. A kept model is used while the context it was made from is
// unchanged (see contextSignature). It is made from the context snapshot (snapshot.go).
type bases struct {
	mu   sync.Mutex
	kept []base // most recently used first
}

type base struct {
	filter      projections.Filter
	withoutOrgs bool // a model of the policies and rates alone (see lazyBase)
	signature   string
	m           *projections.Model
}

// contextSignatureKey is the meta row that keeps contextSignature, written by what changes the rows it
// describes (writeContextSnapshot, in a rebuild or a catch-up of policy and organisation events, and
// noteContext), so that a catch-up or a read looks it up rather than sums those rows, whose number grows with
// the store's organisations.
const contextSignatureKey = "context"

// contextSignature identifies the policy, organisation and rates events of the model: they change by a rebuild
// or by a catch-up of policy and organisation events (reach.go), which this tells apart. It is read from meta,
// or counted (countContext) in a model that has not kept it.
func contextSignature(ctx context.Context, q rowQueryer) (string, error) {
	var sig string
	err := q.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = ?", contextSignatureKey).Scan(&sig)
	if errors.Is(err, sql.ErrNoRows) {
		return countContext(ctx, q)
	}
	if err != nil {
		return "", fmt.Errorf("read model: context signature: %w", err)
	}
	return sig, nil
}

// countContext is the signature of the context's rows of no job order: how many, the last position, and a sum
// of their positions.
func countContext(ctx context.Context, q rowQueryer) (string, error) {
	var n, commit, prepare, sum int64
	err := q.QueryRowContext(ctx, `SELECT count(*), coalesce(max(commit_pos), 0), coalesce(max(prepare_pos), 0),
		coalesce(sum(commit_pos % 1000003), 0) FROM context_events WHERE job_order_id = ''`).Scan(&n, &commit, &prepare, &sum)
	if err != nil {
		return "", fmt.Errorf("read model: context: %w", err)
	}
	return fmt.Sprintf("%d/%d/%d/%d", n, commit, prepare, sum), nil
}

// noteContext counts the context's rows of no job order again and keeps their signature in meta: a change of
// them, written in tx, is then seen by the kept bases of every process.
func noteContext(ctx context.Context, tx *sql.Tx) (string, error) {
	sig, err := countContext(ctx, tx)
	if err != nil {
		return "", err
	}
	if _, err := tx.ExecContext(ctx, "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", contextSignatureKey,
		sig); err != nil {
		return "", fmt.Errorf("read model: write context signature: %w", err)
	}
	return sig, nil
}

// base returns a fork of the context model under filter: made once while the context is unchanged, then forked.
func (m *Model) base(ctx context.Context, filter projections.Filter) (*projections.Model, error) {
	return m.keptBase(ctx, filter, false)
}

// lazyBase is base without the organisations: its fork reads each organisation a judgement or a report names
// from the model the first time it is named (orgLoader), up to the model's checkpoint cp. For a view of a few
// workers, whose judgements read a few organisations of the store's thousands.
func (m *Model) lazyBase(ctx context.Context, filter projections.Filter, cp eventstore.Position) (*projections.Model, error) {
	pm, err := m.keptBase(ctx, filter, true)
	if err != nil {
		return nil, err
	}
	pm.LoadOrgs(m.orgLoader(ctx, cp))
	return pm, nil
}

// keptBase returns a fork of the context model under filter, without its organisations if withoutOrgs.
func (m *Model) keptBase(ctx context.Context, filter projections.Filter, withoutOrgs bool) (*projections.Model, error) {
	sig, err := contextSignature(ctx, m.db)
	if err != nil {
		return nil, err
	}
	b := &m.bases
	b.mu.Lock()
	for i, k := range b.kept {
		if k.filter == filter && k.withoutOrgs == withoutOrgs && k.signature == sig {
			b.kept = slices.Insert(slices.Delete(b.kept, i, i+1), 0, k)
			b.mu.Unlock()
			return k.m.Fork(), nil
		}
	}
	b.mu.Unlock()
	pm := projections.New(filter)
	if err := m.applyBaseContext(ctx, pm, sig, withoutOrgs); err != nil {
		return nil, err
	}
	b.mu.Lock()
	b.kept = slices.Insert(slices.DeleteFunc(b.kept, func(k base) bool {
		return k.filter == filter && k.withoutOrgs == withoutOrgs
	}), 0, base{filter: filter, withoutOrgs: withoutOrgs, signature: sig, m: pm})
	b.kept = b.kept[:min(len(b.kept), keptBases)]
	b.mu.Unlock()
	return pm.Fork(), nil
}

// orgLoader reads an organisation's registrations from the model's rows of its stream, up to position cp.
func (m *Model) orgLoader(ctx context.Context, cp eventstore.Position) projections.OrgLoader {
	return func(id string) ([]projections.Fact, error) {
		rows, err := m.stmts.query(ctx, m.db, "SELECT "+contextColumns+" FROM context_events WHERE stream = ? AND type = '"+
			domain.TypeOrganisationRegistered+"' AND (commit_pos, prepare_pos) <= (?, ?) ORDER BY commit_pos, prepare_pos",
			domain.OrganisationRegistered{OrgID: id}.Stream(), cp.Commit, cp.Prepare)
		if err != nil {
			return nil, fmt.Errorf("read model: organisation %s: %w", id, err)
		}
		defer rows.Close()
		var facts []projections.Fact
		if err := eachContextFact(rows, "organisation "+id, func(f projections.Fact) { facts = append(facts, f) }); err != nil {
			return nil, err
		}
		return facts, nil
	}
}

// loadJobOrders applies the events of the job orders needed, in global order.
func loadJobOrders(ctx context.Context, q queryer, pm *projections.Model, needed map[string]bool) error {
	for jo := range sortedSet(needed) {
		if err := applyContext(ctx, q, pm, "job_order_id = ?", jo); err != nil {
			return err
		}
	}
	return nil
}
