package readmodel

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
)

// A flag's row does not repeat what its columns hold. Its JSON (EncodeFlag) always begins with the code,
// worker, job order, buyers, evidence and raised_at, in that order; the row keeps the buyers and the evidence
// as JSON columns, the rest in columns of their own, and in rest only what follows raised_at. A details'
// "rules" array (the policies a fee breaches, the same few arrays over and over) is stored once in flag_rules
// and referenced: rest holds its id in its place, and rules the id. A flag whose JSON does not have this shape
// (a raised_at not in UTC, say) is stored whole: event_ids is NULL and rest is its JSON. IndexedFlag puts the JSON
// together again, byte for byte; the view flags_json does the same in SQL for the sqlite3 shell.

// rulesKey is what precedes a details' rules array in a flag's JSON.
const rulesKey = `,"rules":`

// flagRow is a flag's JSON as its row stores it.
type flagRow struct {
	buyers, eventIDs string // JSON arrays; eventIDs "" when rest holds the whole JSON
	rest             string // what follows raised_at, the rules array cut out when rules is not ""
	rules            string // the rules array, stored in flag_rules, or ""
	whole            bool   // rest is the whole JSON
}

// splitFlag cuts a flag's JSON (body, as EncodeFlag wrote it) into its row.
func splitFlag(f domain.Flag, body string) (flagRow, error) {
	buyers, err := jsonStrings(f.BuyerIDs)
	if err != nil {
		return flagRow{}, err
	}
	return splitFlagOf(&f, []byte(body), buyers, nil)
}

// splitFlagOf is splitFlag given the JSON of the flag's buyers (which a worker's flags share), cutting body in
// place; rules, when not nil, holds the rules arrays met before, so that each is one string however many flags
// repeat it.
func splitFlagOf(f *domain.Flag, body []byte, buyers string, rules map[string]string) (flagRow, error) {
	events, err := jsonStrings(f.EventIDs)
	if err != nil {
		return flagRow{}, err
	}
	at := f.RaisedAt
	var room [256]byte // the head of most flags: built without allocating
	head := appendHead(room[:0], f.Code, f.WorkerID, f.JobOrderID, buyers, events, at.Unix(), at.Nanosecond())
	if !bytes.HasPrefix(body, head) {
		return flagRow{rest: string(body), whole: true}, nil
	}
	r := flagRow{buyers: buyers, eventIDs: events}
	rest := body[len(head):]
	i := bytes.Index(rest, []byte(rulesKey))
	if i < 0 || !bytes.HasPrefix(rest[i+len(rulesKey):], []byte("[")) {
		r.rest = string(rest)
		return r, nil
	}
	n := arrayLen(rest[i+len(rulesKey):])
	if n < 0 {
		return flagRow{}, fmt.Errorf("rules of flag %s: %w", f.Code, errUnclosedArray)
	}
	start := i + len(rulesKey)
	r.rules = intern(rules, rest[start:start+n])
	r.rest = string(append(rest[:start], rest[start+n:]...)) // the array cut out of body
	return r, nil
}

// intern returns b as a string, the one rules holds for it when rules is not nil.
func intern(rules map[string]string, b []byte) string {
	if rules == nil {
		return string(b)
	}
	if s, ok := rules[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(rules) < maxInterned {
		rules[s] = s
	}
	return s
}

// maxInterned bounds the rules arrays a judging goroutine keeps: a store whose every fee breaches its own set
// of rules would otherwise keep them all.
const maxInterned = 4096

// errUnclosedArray reports a JSON array whose closing bracket is missing.
var errUnclosedArray = errors.New("JSON array not closed")

// arrayLen is the length of the JSON array s begins with (valid JSON, as encoding/json writes it), or -1 when
// s ends before the array does. It skips strings, whose brackets and escaped quotes are not the array's.
func arrayLen[T string | []byte](s T) int {
	depth, inString := 0, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case inString && c == '\\':
			i++
		case c == '"':
			inString = !inString
		case inString:
		case c == '[' || c == '{':
			depth++
		case c == ']' || c == '}':
			if depth--; depth == 0 {
				return i + 1
			}
		}
	}
	return -1
}

// jsonStrings is a list of strings' JSON as encodeJSON writes it ("null" for nil), written directly when no
// string needs escaping.
func jsonStrings(list []string) (string, error) {
	if list == nil {
		return "null", nil
	}
	n := 2
	for _, s := range list {
		if !plainJSON(s) {
			return encodeJSON(list)
		}
		n += len(s) + 3
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteByte('[')
	for i, s := range list {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(s)
		b.WriteByte('"')
	}
	b.WriteByte(']')
	return b.String(), nil
}

// stored is the row's rest with the rules array's id (from flag_rules) in its place.
func (r flagRow) stored(rulesID int64) string {
	if r.rules == "" {
		return r.rest
	}
	i := strings.Index(r.rest, rulesKey) + len(rulesKey)
	return r.rest[:i] + strconv.FormatInt(rulesID, 10) + r.rest[i:]
}

// flagHead is the beginning of a flag's JSON, up to and with its raised_at.
func flagHead(code, worker, jobOrder, buyers, eventIDs string, raisedS int64, raisedN int) string {
	b := make([]byte, 0, headSize(code, worker, jobOrder, buyers, eventIDs))
	return string(appendHead(b, code, worker, jobOrder, buyers, eventIDs, raisedS, raisedN))
}

// headSize is the length of a flag's head when its ids need no escapes and its raised_at is at most 30 bytes
// (an instant in UTC between the years 0 and 9999): 84 bytes of names, quotes and punctuation, and its values.
func headSize(code, worker, jobOrder, buyers, eventIDs string) int {
	return 84 + 30 + len(code) + len(worker) + len(jobOrder) + len(buyers) + len(eventIDs)
}

// appendHead appends flagHead's text to b.
func appendHead(b []byte, code, worker, jobOrder, buyers, eventIDs string, raisedS int64, raisedN int) []byte {
	b = append(b, `{"code":`...)
	b = appendQuoted(b, code)
	b = append(b, `,"worker_id":`...)
	b = appendQuoted(b, worker)
	b = append(b, `,"job_order_id":`...)
	b = appendQuoted(b, jobOrder)
	b = append(b, `,"buyer_ids":`...)
	b = append(b, buyers...)
	b = append(b, `,"event_ids":`...)
	b = append(b, eventIDs...)
	b = append(b, `,"raised_at":"`...)
	b = time.Unix(raisedS, int64(raisedN)).UTC().AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

// appendQuoted appends s as a JSON string, as EncodeFlag writes it.
func appendQuoted(b []byte, s string) []byte { return projections.AppendJSONString(b, s) }

// plainJSON reports whether s is printable ASCII with no quote or backslash: its JSON is s between quotes.
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// jsonBuffers are the buffers encodeJSON writes into, reused: a rebuild encodes every flag.
var jsonBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// encodeJSON is v's JSON as EncodeFlag writes it (no HTML escaping), compact.
func encodeJSON(v any) (string, error) {
	buf := jsonBuffers.Get().(*bytes.Buffer)
	defer jsonBuffers.Put(buf)
	buf.Reset()
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return string(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))), nil
}

// eachRules calls fn with each rules array of flag_rules and its id.
func eachRules(ctx context.Context, q queryer, fn func(id int64, text string)) error {
	rows, err := q.QueryContext(ctx, "SELECT id, rules FROM flag_rules")
	if err != nil {
		return fmt.Errorf("read flag rules: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var text string
		if err := rows.Scan(&id, &text); err != nil {
			return fmt.Errorf("read flag rules: %w", err)
		}
		fn(id, text)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read flag rules: %w", err)
	}
	return nil
}

// rulesID is the id of a rules array in flag_rules, looked up there on the writer's first use of it (a
// catch-up's flags use a few of them), added when new (ids are never reused: a rules array no flag references
// any more stays until the next rebuild).
func (w *writer) rulesID(ctx context.Context, text string) (int64, error) {
	if id, ok := w.rules[text]; ok {
		return id, nil
	}
	var id int64
	err := w.queryRow(ctx, "SELECT id FROM flag_rules WHERE rules = ?", text).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		if err = w.queryRow(ctx, "SELECT coalesce(max(id), 0) + 1 FROM flag_rules").Scan(&id); err == nil {
			_, err = w.exec(ctx, rulesInsert, id, text)
		}
	}
	if err != nil {
		return 0, fmt.Errorf("write flag rules: %w", err)
	}
	w.rules[text] = id
	return id, nil
}

// flagRow writes a flag's row.
func (w *writer) flagRow(ctx context.Context, e encodedFlag, clocked int) error {
	f, r, at := e.f, e.row, e.f.RaisedAt.UTC()
	if r.whole {
		return w.flagRows.add(ctx, e.k, f.Code, f.WorkerID, f.JobOrderID, nil, nil, at.Unix(), at.Nanosecond(),
			clocked, nil, r.rest)
	}
	var ref any // the rules' id, or NULL
	rest := r.rest
	if r.rules != "" {
		id, err := w.rulesID(ctx, r.rules)
		if err != nil {
			return err
		}
		ref, rest = id, r.stored(id)
	}
	return w.flagRows.add(ctx, e.k, f.Code, f.WorkerID, f.JobOrderID, r.buyers, r.eventIDs, at.Unix(),
		at.Nanosecond(), clocked, ref, rest)
}

// flagJSONView gives every flag's JSON in the sqlite3 shell, as IndexedFlag.AppendJSON does (an id holding a control
// character or U+2028 may be escaped otherwise by json_quote than by Go; TestPersistedModelAnswersAsAModelRebuiltInMemory
// compares the view with the listing on generated ids).
const flagJSONView = `
CREATE VIEW IF NOT EXISTS flags_json AS SELECT f.k, f.code, f.worker_id, f.job_order_id, f.raised_s, f.raised_n,
	f.clocked, CASE WHEN f.event_ids IS NULL THEN f.rest ELSE
		'{"code":' || json_quote(f.code) || ',"worker_id":' || json_quote(f.worker_id) || ',"job_order_id":' ||
		json_quote(f.job_order_id) || ',"buyer_ids":' || f.buyer_ids || ',"event_ids":' || f.event_ids ||
		',"raised_at":"' || strftime('%Y-%m-%dT%H:%M:%S', f.raised_s, 'unixepoch') ||
		rtrim(rtrim(printf('.%09d', f.raised_n), '0'), '.') || 'Z"' ||
		CASE WHEN f.rules IS NULL THEN f.rest ELSE
			substr(f.rest, 1, instr(f.rest, ',"rules":') + 8) || r.rules ||
			substr(f.rest, instr(f.rest, ',"rules":') + 9 + length(f.rules)) END END AS flag
	FROM flags f LEFT JOIN flag_rules r ON r.id = f.rules;
`

// scopeID is the id of a flag scope in scopes, added when new (ids are never reused).
func (w *writer) scopeID(ctx context.Context, name string) (int64, error) {
	if id, ok := w.scopes[name]; ok {
		return id, nil
	}
	if _, err := w.exec(ctx, "INSERT OR IGNORE INTO scopes (name) VALUES (?)", name); err != nil {
		return 0, fmt.Errorf("name scope %s: %w", name, err)
	}
	var id int64
	if err := w.queryRow(ctx, "SELECT id FROM scopes WHERE name = ?", name).Scan(&id); err != nil {
		return 0, fmt.Errorf("name scope %s: %w", name, err)
	}
	w.scopes[name] = id
	return id, nil
}

// errNoRules reports a flag that references a rules array flag_rules does not hold.
var errNoRules = errors.New("flag references rules the model does not hold")

// flagRules reads flag_rules for a listing: the first few rules arrays one by one, as a page of one worker's
// flags references a handful of the table's (a few hundred, read whole, cost such a page more than its
// flags); then the whole table once, and again when a flag references an id added since (ids only grow),
// rather than once per flag.
type flagRules struct {
	ctx   context.Context
	db    *sql.DB
	stmts *stmtCache
	// kept are the arrays earlier listings read, of the numbering this one reads (see keptRules), never
	// written; byID those this listing read.
	kept map[int64]string
	byID map[int64]string
	// whole is set once the whole table was read; until then, looked counts the arrays read one by one.
	whole  bool
	looked int
}

// rulesLookups is how many rules arrays a listing reads one by one before it reads the whole table.
const rulesLookups = 4

// rulesByIDSQL reads one rules array.
const rulesByIDSQL = "SELECT rules FROM flag_rules WHERE id = ?"

// get returns the rules array of id.
func (r *flagRules) get(id int64) (string, error) {
	if text, ok := r.kept[id]; ok {
		return text, nil
	}
	if text, ok := r.byID[id]; ok {
		return text, nil
	}
	if r.byID == nil {
		r.byID = map[int64]string{}
	}
	if !r.whole && r.looked < rulesLookups && r.stmts != nil {
		r.looked++
		text, ok, err := r.one(id)
		if err != nil {
			return "", err
		}
		if ok {
			r.byID[id] = text
			return text, nil
		}
	}
	r.whole = true
	// Prepared once, and under a context without cancellation: the driver answers each row of a cancellable
	// one in a goroutine of its own (see Model.ListFlags), a few hundred of them for the table.
	var q queryer = r.db
	if r.stmts != nil {
		q = preparedQuerier{r.stmts, r.db}
	}
	if err := eachRules(context.WithoutCancel(r.ctx), q, func(i int64, text string) { r.byID[i] = text }); err != nil {
		return "", err
	}
	if text, ok := r.byID[id]; ok {
		return text, nil
	}
	return "", fmt.Errorf("%w: %d", errNoRules, id)
}

// one reads the rules array of id alone; ok is false where flag_rules does not hold it.
func (r *flagRules) one(id int64) (text string, ok bool, err error) {
	rows, err := r.stmts.query(context.WithoutCancel(r.ctx), r.db, rulesByIDSQL, id)
	if err != nil {
		return "", false, fmt.Errorf("read flag rules: %w", err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return "", false, fmt.Errorf("read flag rules: %w", err)
		}
		return "", false, nil
	}
	if err := rows.Scan(&text); err != nil {
		return "", false, fmt.Errorf("read flag rules: %w", err)
	}
	return text, true, nil
}
