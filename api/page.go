package api

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"iter"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Lists are paginated by cursor. A page token carries the sort key of the last item returned (with how many
// items of exactly that key were returned, for ties), the clock the first page was judged at (so every page
// of a listing judges overdue reimbursements at the same instant), and a fingerprint of the query (a token
// only continues the listing it came from), and the layout of the read model whose keys it holds (a flag
// listing's key is the model's own: a model of another schema numbers flags differently, so a token from before
// an upgrade would resume a few flags off; it is refused instead). Tokens are signed, so a client cannot forge a
// clock or a cursor.
type pageToken struct {
	Kind   string          `json:"k"`
	Query  string          `json:"q"`
	Clock  int64           `json:"c"`
	After  json.RawMessage `json:"a"`
	Skip   int             `json:"n"`
	Layout string          `json:"l,omitempty"`
}

// pageSigner signs and checks page tokens; layout is the read model's schema, which its tokens carry.
type pageSigner struct {
	key    []byte
	layout string
}

func (p pageSigner) mac(payload []byte) []byte {
	h := hmac.New(sha256.New, p.key)
	h.Write(payload)
	return h.Sum(nil)[:16]
}

func (p pageSigner) encode(t pageToken) string {
	t.Layout = p.layout
	payload, _ := json.Marshal(t) // plain fields: cannot fail
	return base64.RawURLEncoding.EncodeToString(payload) + "." + base64.RawURLEncoding.EncodeToString(p.mac(payload))
}

// decode checks a token's signature and that it continues a listing of this kind and query.
func (p pageSigner) decode(s, kind, fingerprint string) (pageToken, error) {
	bad := invalidField("page_token", "not a page token of this listing (tokens continue the query they came from)")
	a, b, ok := strings.Cut(s, ".")
	payload, err1 := base64.RawURLEncoding.DecodeString(a)
	sig, err2 := base64.RawURLEncoding.DecodeString(b)
	if !ok || err1 != nil || err2 != nil || !hmac.Equal(sig, p.mac(payload)) {
		return pageToken{}, bad
	}
	var t pageToken
	if json.Unmarshal(payload, &t) != nil || t.Kind != kind || t.Query != fingerprint || t.Skip < 0 {
		return pageToken{}, bad
	}
	if t.Layout != p.layout {
		issued := "by an older fairtrail, before tokens named the read model's schema"
		if t.Layout != "" {
			issued = "over another schema of the read model (" + t.Layout + ", now " + p.layout + ")"
		}
		return pageToken{}, invalidField("page_token", "issued "+issued+": start the listing again without page_token")
	}
	return t, nil
}

// fingerprint identifies a query by its parameters, leaving out the page token and size.
func fingerprint(q url.Values) string {
	var parts []string
	for k, vs := range q {
		if k == "page_token" || k == "page_size" {
			continue
		}
		for _, v := range vs {
			parts = append(parts, url.QueryEscape(k)+"="+url.QueryEscape(v))
		}
	}
	slices.Sort(parts)
	sum := sha256.Sum256([]byte(strings.Join(parts, "&")))
	return hex.EncodeToString(sum[:12])
}

// pageSize reads page_size.
func (s *Server) pageSize(q url.Values) (int, error) {
	v := q.Get("page_size")
	if v == "" {
		return s.lim.DefaultPageSize, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > s.lim.MaxPageSize {
		return 0, invalidField("page_size", "must be a whole number from 1 to "+strconv.Itoa(s.lim.MaxPageSize))
	}
	return n, nil
}

// listing is one page request: the cursor, if any, and the clock to judge at.
type listing struct {
	kind  string
	query string
	size  int
	clock time.Time
	after json.RawMessage
	skip  int
}

// startListing reads page_size and page_token; the clock is the token's, else now.
func (s *Server) startListing(q url.Values, kind string, now time.Time) (listing, error) {
	l := listing{kind: kind, query: fingerprint(q), clock: now}
	var err error
	if l.size, err = s.pageSize(q); err != nil {
		return l, err
	}
	if tok := q.Get("page_token"); tok != "" {
		t, err := s.pages.decode(tok, kind, l.query)
		if err != nil {
			return l, err
		}
		l.clock, l.after, l.skip = time.Unix(0, t.Clock).UTC(), t.After, t.Skip
	}
	return l, nil
}

// nextPage is the token of the page after the listing's page: it continues the listing's query at its clock,
// after the sort key after (and skip more items of that key, already returned).
func (s *Server) nextPage(l listing, after json.RawMessage, skip int) string {
	return s.pages.encode(pageToken{Kind: l.kind, Query: l.query, Clock: l.clock.UnixNano(), After: after, Skip: skip})
}

// page cuts the page of sorted items that follows the listing's cursor and makes the token of the next page
// ("" on the last). cmp orders items as they are sorted; key gives an item's sort key, and fromKey an item
// carrying a key, for comparison.
func page[T any](s *Server, l listing, items []T, cmp func(a, b T) int, key func(T) any, fromKey func(json.RawMessage) (T, bool)) ([]T, string) {
	start := 0
	if l.after != nil {
		if cursor, ok := fromKey(l.after); ok {
			start, _ = slices.BinarySearchFunc(items, cursor, cmp)
			start = min(start+l.skip, len(items))
		}
	}
	end := min(start+l.size, len(items))
	out := items[start:end]
	if end == len(items) || len(out) == 0 {
		return out, ""
	}
	last := end - 1
	first := last
	for first > 0 && cmp(items[first-1], items[last]) == 0 {
		first--
	}
	after, _ := json.Marshal(key(items[last])) // keys are plain values
	return out, s.nextPage(l, after, last-first+1)
}

// pageSeq is page for items yielded in sorted order rather than held: it reads them no further than the item
// after the page, which says whether there is a next one, and holds no more than the page.
func pageSeq[T any](s *Server, l listing, items iter.Seq2[T, error], cmp func(a, b T) int, key func(T) any,
	fromKey func(json.RawMessage) (T, bool)) ([]T, string, error) {
	var cursor T
	seek, skip := false, 0
	if l.after != nil {
		if cursor, seek = fromKey(l.after); seek {
			skip = l.skip
		}
	}
	var out []T
	var prev T
	ties, lastTies, n := 0, 0, 0 // ties: how many items so far have the current one's key
	for item, err := range items {
		if err != nil {
			return nil, "", err
		}
		if n > 0 && cmp(prev, item) == 0 {
			ties++
		} else {
			ties = 1
		}
		prev, n = item, n+1
		switch {
		case seek && cmp(item, cursor) < 0: // before the cursor
			continue
		case skip > 0: // at the cursor's key, returned on the page before
			seek = false
			skip--
			continue
		case len(out) < l.size:
			seek = false
			out, lastTies = append(out, item), ties
			continue
		}
		after, _ := json.Marshal(key(out[len(out)-1])) // keys are plain values
		return out, s.nextPage(l, after, lastTies), nil
	}
	return out, "", nil
}
