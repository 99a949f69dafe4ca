package readmodel

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fairtrail/fairtrail/domain"
)

// IndexedFlag is a flag of a listing as its row holds it (see flagRow): its key, its columns and the JSON that
// follows its raised_at. It gives the flag's JSON (AppendJSON, the bytes EncodeFlag wrote) and its fields
// (Flag) without joining or decoding that JSON whole first: a listing of every flag reads millions of them, and
// a front end that lays them out (indented JSON, CSV records, an API page) needs one or the other once. Its
// strings are the row's own, never reused by the listing, so a IndexedFlag may be kept after the call that gave
// it (handed to another goroutine, say).
type IndexedFlag struct {
	// Key is the flag's place in the listing order (FlagKey); nil for a flag listed from a replay.
	Key []byte

	code, worker, jobOrder string
	buyers, eventIDs       string // JSON arrays
	raisedS                int64
	raisedN                int
	// rest is the JSON after raised_at; with rules, only its part up to the rules array (with its key), after
	// the part following it.
	rest, rules, after string
	// whole, when set, is the flag's JSON as a whole (a row stored whole, or a flag of a replay); the other
	// fields are then unset.
	whole string
}

// IndexedFlagOf is the listed flag whose JSON is text (as EncodeFlag writes it): a flag judged by a replay,
// listed beside or instead of the rows of the index.
func IndexedFlagOf(text string) IndexedFlag { return IndexedFlag{whole: text} }

// errFlagRow reports a row of flagReadCols that does not have their shape.
var errFlagRow = errors.New("flag row not of the listing's shape")

// parseIndexedFlag reads a listed flag from a row of flagReadCols: its columns joined by unit separators, its
// key last (see flagReadCols). rules resolves a rules array's id.
func parseIndexedFlag(joined string, rules *flagRules) (IndexedFlag, error) {
	var col [9]string // code, worker, job order, buyers, events, raised_s, raised_n, rules, rest
	rest := joined
	for i := range col {
		end := strings.IndexByte(rest, 0x1f)
		if end < 0 {
			return IndexedFlag{}, fmt.Errorf("%w: %q", errFlagRow, joined[:min(len(joined), 64)])
		}
		col[i], rest = rest[:end], rest[end+1:]
	}
	k := []byte(rest)
	if col[4] == "" { // event_ids NULL: rest is the whole JSON
		return IndexedFlag{Key: k, whole: col[8]}, nil
	}
	s, errS := strconv.ParseInt(col[5], 10, 64)
	n, errN := strconv.Atoi(col[6])
	if err := errors.Join(errS, errN); err != nil {
		return IndexedFlag{}, fmt.Errorf("%w: key %x: raised_at: %w", errFlagRow, k, err)
	}
	l := IndexedFlag{Key: k, code: col[0], worker: col[1], jobOrder: col[2], buyers: col[3], eventIDs: col[4],
		raisedS: s, raisedN: n, rest: col[8]}
	if col[7] == "" {
		return l, nil
	}
	id, err := strconv.ParseInt(col[7], 10, 64)
	if err != nil {
		return IndexedFlag{}, fmt.Errorf("%w: key %x: rules: %w", errFlagRow, k, err)
	}
	if l.rules, err = rules.get(id); err != nil {
		return IndexedFlag{}, err
	}
	i := strings.Index(l.rest, rulesKey)
	if i < 0 {
		return IndexedFlag{}, fmt.Errorf("%w: key %x: flag %s of %q: no rules in its row", errFlagRow, k, l.code, l.worker)
	}
	i += len(rulesKey)
	j := i
	for j < len(l.rest) && l.rest[j] >= '0' && l.rest[j] <= '9' {
		j++
	}
	l.rest, l.after = l.rest[:i], l.rest[j:]
	return l, nil
}

// Size is the length of the flag's JSON when its ids need no escapes (AppendJSON's length then, else a little
// less): what a buffer for it needs.
func (l *IndexedFlag) Size() int {
	if l.whole != "" {
		return len(l.whole)
	}
	return headSize(l.code, l.worker, l.jobOrder, l.buyers, l.eventIDs) + len(l.rest) + len(l.rules) + len(l.after)
}

// AppendJSON appends the flag's JSON, compact, as EncodeFlag wrote it (and `fairtrail flags --format json`
// lists it before indenting), to dst.
func (l *IndexedFlag) AppendJSON(dst []byte) []byte {
	if l.whole != "" {
		return append(dst, l.whole...)
	}
	dst = appendHead(dst, l.code, l.worker, l.jobOrder, l.buyers, l.eventIDs, l.raisedS, l.raisedN)
	dst = append(dst, l.rest...)
	dst = append(dst, l.rules...)
	return append(dst, l.after...)
}

// JSON is AppendJSON's text.
func (l *IndexedFlag) JSON() string {
	if l.whole != "" {
		return l.whole
	}
	return string(l.AppendJSON(make([]byte, 0, l.Size())))
}

// Flag is the flag, read back as query.DecodeFlag reads its JSON: its details are domain.RawDetails holding
// their JSON, so that encoding the flag again gives the same bytes. A row's columns are taken as they are
// (its ids need no unescaping), its lists split without a JSON decoder where no string in them is escaped,
// and only its amounts decoded as JSON.
func (l *IndexedFlag) Flag() (domain.Flag, error) {
	if l.whole != "" {
		return decodeWhole(l.whole)
	}
	buyers, errB := stringList(l.buyers)
	events, errE := stringList(l.eventIDs)
	if err := errors.Join(errB, errE); err != nil {
		return domain.Flag{}, fmt.Errorf("read listed flag %s of %q: %w", l.code, l.worker, err)
	}
	f := domain.Flag{Code: readBack(l.code), WorkerID: readBack(l.worker), JobOrderID: readBack(l.jobOrder),
		BuyerIDs: buyers, EventIDs: events, RaisedAt: time.Unix(l.raisedS, int64(l.raisedN)).UTC()}
	tail := l.rest
	if l.rules != "" {
		tail = l.rest + l.rules + l.after
	}
	if err := readTail(&f, tail); err != nil {
		return domain.Flag{}, fmt.Errorf("read listed flag %s of %q: %w", l.code, l.worker, err)
	}
	return f, nil
}

// decodeWhole reads a flag back from its whole JSON.
func decodeWhole(text string) (domain.Flag, error) {
	var f domain.Flag
	if err := json.Unmarshal([]byte(text), &f); err != nil {
		return domain.Flag{}, fmt.Errorf("read listed flag: %w", err)
	}
	return f, nil
}

// Keys of a flag's JSON after raised_at, in EncodeFlag's order (amounts only when there are some).
const (
	amountsKey = `,"amounts":`
	detailsKey = `,"details":`
)

// errFlagTail reports a flag's JSON after raised_at that is not amounts and details as EncodeFlag writes them.
var errFlagTail = errors.New("the JSON after raised_at is not amounts and details")

// readTail reads the amounts and the details of f from tail, its JSON after raised_at.
func readTail(f *domain.Flag, tail string) error {
	if rest, ok := strings.CutPrefix(tail, amountsKey); ok {
		n := arrayLen(rest)
		if n < 0 {
			return fmt.Errorf("amounts: %w", errUnclosedArray)
		}
		var err error
		if f.Amounts, err = readAmounts(rest[:n]); err != nil {
			return fmt.Errorf("amounts: %w", err)
		}
		tail = rest[n:]
	}
	details, ok := strings.CutPrefix(tail, detailsKey)
	if details, ok2 := strings.CutSuffix(details, "}"); ok && ok2 {
		if details != "null" {
			f.Details = domain.RawDetails{Code: f.Code, JSON: json.RawMessage(details)}
		}
		return nil
	}
	return errFlagTail
}

// readBack is s as its JSON (appendQuoted) reads back: s itself unless it is not valid UTF-8, whose bytes that
// are not become U+FFFD.
func readBack(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var out string
	_ = json.Unmarshal(appendQuoted(nil, s), &out) // a JSON string: cannot fail
	return out
}

// readAmounts reads a flag's amounts as EncodeFlag writes them, [{"amount":"A","currency":"C"},...] (no
// currency when empty): split where no string in them is escaped (and all is UTF-8, which a decoder would
// mend), else decoded.
func readAmounts(text string) ([]domain.Money, error) {
	if !strings.ContainsRune(text, '\\') && utf8.ValidString(text) {
		if out, ok := splitAmounts(text); ok {
			return out, nil
		}
	}
	var out []domain.Money
	if err := json.Unmarshal([]byte(text), &out); err != nil {
		return nil, err
	}
	return out, nil
}

// splitAmounts reads amounts of the shape readAmounts names, with no escaped string; false for another shape.
func splitAmounts(text string) ([]domain.Money, bool) {
	rest, ok := strings.CutPrefix(text, "[")
	out := make([]domain.Money, 0, 1)
	for ok {
		var m domain.Money
		var amount string
		if rest, ok = strings.CutPrefix(rest, `{"amount":"`); !ok {
			break
		}
		if amount, rest, ok = strings.Cut(rest, `"`); !ok {
			break
		}
		m.Amount = domain.Amount(amount)
		if cur, found := strings.CutPrefix(rest, `,"currency":"`); found {
			if m.Currency, rest, ok = strings.Cut(cur, `"`); !ok {
				break
			}
		}
		if rest, ok = strings.CutPrefix(rest, "}"); !ok {
			break
		}
		out = append(out, m)
		if rest == "]" {
			return out, true
		}
		rest, ok = strings.CutPrefix(rest, ",")
	}
	return nil, false
}

// stringList reads a JSON array of strings as jsonStrings writes it: split where no string in it is escaped
// (no backslash: its strings are the text between the quotes) and all is UTF-8, else decoded.
func stringList(text string) ([]string, error) {
	switch {
	case text == "null":
		return nil, nil
	case text == "[]":
		return []string{}, nil
	case len(text) >= 4 && text[:2] == `["` && text[len(text)-2:] == `"]` && !strings.ContainsRune(text, '\\') &&
		utf8.ValidString(text):
		return strings.Split(text[2:len(text)-2], `","`), nil
	}
	var out []string
	if err := json.Unmarshal([]byte(text), &out); err != nil {
		return nil, err
	}
	return out, nil
}
