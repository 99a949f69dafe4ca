package readmodel

import (
	"context"
	"fmt"
	"maps"
)

// A page of 1,000 flags references most of flag_rules (162 arrays, 98 KB at 100,000 workers), which each
// listing read whole: a tenth of a page's CPU in the mixed load's profile, and a few lookups one by one for a
// worker's flags. A writable model keeps the arrays its listings read (keptRules) for the next ones. An id
// names the same array until the model is rebuilt: a catch-up only adds arrays, under new ids, and a rebuild
// renumbers them, either inside the model (its tables dropped and created again, which moves SQLite's
// schema_version on) or, in this process alone, into a file renamed over the model (which moves the file's
// generation on). A listing reads both before its flags: the arrays kept under another pair are not used.
// Another process cannot rename a file over a model this process has open (modelFile's lock), so a model
// opened read-only keeps nothing and reads the table per listing, as before. A rebuild committed while a
// listing reads is the race the listing already had (its rules arrays are read in statements of their own).

// rulesVersion names one numbering of flag_rules: the model file's generation and its schema_version.
type rulesVersion struct {
	gen    uint64
	schema int64
}

// keptRules are rules arrays by id, as listings of one numbering read them. A map once kept is never written
// again: a listing that reads more keeps a copy with them.
type keptRules struct {
	version rulesVersion
	byID    map[int64]string
}

// schemaVersionSQL reads the counter SQLite moves on with every change of the model's tables.
const schemaVersionSQL = "PRAGMA schema_version"

// rulesNumbering returns the numbering of flag_rules now and the arrays kept under it (nil for none); ok is
// false for a model that keeps none (opened read-only).
func (m *Model) rulesNumbering(ctx context.Context) (v rulesVersion, kept map[int64]string, ok bool, err error) {
	if m.file == nil {
		return rulesVersion{}, nil, false, nil
	}
	v.gen = m.file.gen.Load()
	if err := (preparedQuerier{&m.stmts, m.db}).QueryRowContext(ctx, schemaVersionSQL).Scan(&v.schema); err != nil {
		return rulesVersion{}, nil, false, fmt.Errorf("read model schema version: %w", err)
	}
	if k := m.rules.Load(); k != nil && k.version == v {
		kept = k.byID
	}
	return v, kept, true, nil
}

// keepRules keeps the arrays a listing of numbering v read besides those kept under it.
func (m *Model) keepRules(v rulesVersion, kept, read map[int64]string) {
	if len(read) == 0 {
		return
	}
	all := make(map[int64]string, len(kept)+len(read))
	maps.Copy(all, kept)
	maps.Copy(all, read)
	m.rules.Store(&keptRules{version: v, byID: all})
}
