package projections

import (
	"time"

	"github.com/fairtrail/fairtrail/domain"
)

// judgement is what queries over many workers need of a worker, judged without a clock. It is kept small
// (no timeline, fee lines or contract reports, only its dated money: View.Worker rebuilds those on demand), so that a model with every
// worker judged stays within memory.
type judgement struct {
	generation uint64
	owner
	employer string
	agencies []string
	// flags are the worker's flags that do not depend on the clock, sorted by raised_at; counts counts them
	// by code (in domain.FlagCodes order).
	flags  []domain.Flag
	counts flagCounts
	// clocked are the flags that depend on the clock (Clocked), as at the end of time: each stands once the
	// clock has passed its raised_at, and none before firstClocked.
	clocked      []domain.Flag
	firstClocked time.Time
	// The worker's money, prepared for rollups.
	workerPaid, reimbursed, outstanding, shortfall tally
	// ledger is the worker's dated money, for audits in one currency.
	ledger Ledger
}

// judgement returns the worker's cached judgement, computing it when missing or stale; nil for an unknown
// worker. Safe for concurrent readers of an unchanging model.
func (m *Model) judgement(v *View, id string) *judgement {
	j, gen := m.cache.get(id)
	if j != nil {
		return j
	}
	wf := m.workers[id]
	if wf == nil {
		return nil
	}
	ws := v.workerState(wf)
	jd := v.judge(ws, true)
	j = &judgement{owner: ws.owner(), employer: jd.employer, agencies: jd.agencies, flags: jd.flags,
		workerPaid: tallyOf(jd.workerPaid), reimbursed: tallyOf(jd.reimbursed),
		outstanding: tallyOf(jd.outstanding), shortfall: tallyOf(jd.shortfall), ledger: jd.ledger,
		clocked: clockedFlags(ws, jd.c)}
	j.counts.add(j.flags)
	for _, f := range j.clocked {
		if j.firstClocked.IsZero() || f.RaisedAt.Before(j.firstClocked) {
			j.firstClocked = f.RaisedAt
		}
	}
	m.cache.put(id, j, gen)
	return j
}

// clockedAt reports whether a flag that depends on the clock may stand at clock: an overdue reimbursement or an
// open report.
func (j *judgement) clockedAt(clock time.Time) bool {
	return len(j.clocked) > 0 && clock.After(j.firstClocked)
}

// flagsAt are the judgement's flags with the overdue reimbursements and the open reports at clock, sorted by
// raised_at.
func (j *judgement) flagsAt(clock time.Time) []domain.Flag {
	if !j.clockedAt(clock) {
		return j.flags
	}
	return visibleAt(j.flags, j.clocked, clock)
}
