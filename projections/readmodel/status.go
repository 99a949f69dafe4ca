package readmodel

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sync/atomic"
)

// Status is the model's checkpoint and whether the model is current: written by these rules (a model being
// rebuilt for other rules still shows its old checkpoint until the rebuild commits). Every read of a server
// asks it first (is the model caught up?): the rules are compared in SQLite rather than copied out, the
// checkpoint's text is decoded only when it changed (lastCheckpoint), and the statement runs without the
// driver's goroutine per cancellable query (see ListFlags), ctx checked before it.
func (m *Model) Status(ctx context.Context) (cp Checkpoint, current bool, err error) {
	if err := ctx.Err(); err != nil {
		return Checkpoint{}, false, fmt.Errorf("read model rules and checkpoint: %w", err)
	}
	rows, err := m.stmts.query(context.WithoutCancel(ctx), m.db, statusSQL, rulesMeta())
	if err != nil {
		return Checkpoint{}, false, fmt.Errorf("read model rules and checkpoint: %w", err)
	}
	defer rows.Close()
	if !rows.Next() {
		return Checkpoint{}, false, fmt.Errorf("read model rules and checkpoint: %w", errors.Join(rows.Err(), sql.ErrNoRows))
	}
	var same sql.NullBool
	var text sql.RawBytes // the row's own bytes, valid until Close: compared, and copied only to be decoded
	if err := rows.Scan(&same, &text); err != nil {
		return Checkpoint{}, false, fmt.Errorf("read model rules and checkpoint: %w", err)
	}
	if !same.Valid { // never written
		return Checkpoint{}, false, rows.Close()
	}
	if text == nil {
		return Checkpoint{}, false, fmt.Errorf("read model checkpoint: %w", sql.ErrNoRows)
	}
	if cp, err = m.lastCheckpoint.decode(text); err != nil {
		return Checkpoint{}, false, err
	}
	return cp, same.Bool, rows.Close()
}

// statusSQL reads whether a model was written by the rules given (NULL for a model never written) and its
// checkpoint (NULL where missing), in one statement.
const statusSQL = `SELECT (SELECT value = ? FROM meta WHERE key = 'rules'), (SELECT value FROM meta WHERE key = 'checkpoint')`

// checkpointText keeps the last checkpoint Status decoded with its text: between two catch-ups every read
// finds the same text. Safe for concurrent use.
type checkpointText struct {
	last atomic.Pointer[decodedCheckpoint]
}

type decodedCheckpoint struct {
	text string
	cp   Checkpoint
}

// decode returns the checkpoint text holds: the last one's when the text is the same, else decoded.
func (c *checkpointText) decode(text []byte) (Checkpoint, error) {
	if last := c.last.Load(); last != nil && last.text == string(text) {
		return last.cp, nil
	}
	var cp Checkpoint
	if err := json.Unmarshal(text, &cp); err != nil {
		return Checkpoint{}, fmt.Errorf("read model checkpoint %q: %w", text, err)
	}
	c.last.Store(&decodedCheckpoint{text: string(text), cp: cp})
	return cp, nil
}
