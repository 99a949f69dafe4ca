package api

import (
	"cmp"
	"encoding/json"
	"errors"
	"iter"
	"slices"
	"strings"
	"testing"
	"time"
)

// pageItem is an item of a sorted listing: k is its sort key, id tells apart items of one key.
type pageItem struct{ k, id int }

func comparePageItems(a, b pageItem) int { return cmp.Compare(a.k, b.k) }

func pageItemKey(it pageItem) any { return it.k }

func pageItemFromKey(raw json.RawMessage) (pageItem, bool) {
	var k int
	return pageItem{k: k}, json.Unmarshal(raw, &k) == nil
}

// counted yields items, counting in *read how many it yielded, or yields err after them.
func counted(items []pageItem, read *int, err error) iter.Seq2[pageItem, error] {
	return func(yield func(pageItem, error) bool) {
		for _, it := range items {
			*read++
			if !yield(it, nil) {
				return
			}
		}
		if err != nil {
			yield(pageItem{}, err)
		}
	}
}

// TestPagesOfAStreamAreThoseOfTheList: walking a sorted listing page by page, pageSeq over the items yielded
// gives the pages and tokens page gives over the items held, keys shared across page boundaries included,
// reading no further than the item after each page.
func TestPagesOfAStreamAreThoseOfTheList(t *testing.T) {
	t.Parallel()
	s := &Server{pages: pageSigner{key: []byte("test")}}
	keys := [][]int{{}, {1}, {1, 1, 1, 1, 1}, {1, 2, 2, 2, 3, 3, 4, 5, 5, 5, 5, 6}, {1, 2, 3, 4, 5, 6, 7}}
	for _, ks := range keys {
		items := make([]pageItem, len(ks))
		for i, k := range ks {
			items[i] = pageItem{k: k, id: i}
		}
		for size := 1; size <= 4; size++ {
			l := listing{kind: "test", query: "q", size: size, clock: time.Unix(0, 0).UTC()}
			for range len(items) + 2 {
				want, wantNext := page(s, l, items, comparePageItems, pageItemKey, pageItemFromKey)
				read := 0
				got, next, err := pageSeq(s, l, counted(items, &read, nil), comparePageItems, pageItemKey, pageItemFromKey)
				if err != nil || !slices.Equal(got, want) || next != wantNext {
					t.Fatalf("keys %v, size %d, after %s+%d: got %v %q %v, want %v %q", ks, size, l.after, l.skip,
						got, next, err, want, wantNext)
				}
				if len(want) > 0 {
					if last := slices.Index(items, want[len(want)-1]); read > last+2 {
						t.Fatalf("keys %v, size %d: read %d items for a page ending at %d", ks, size, read, last)
					}
				}
				if next == "" {
					break
				}
				tok, err := s.pages.decode(next, l.kind, l.query)
				if err != nil {
					t.Fatal(err)
				}
				l.after, l.skip = tok.After, tok.Skip
			}
		}
	}
}

// TestAPageOfAStreamThatFailsIsTheError: an error the listing yields is the page's.
func TestAPageOfAStreamThatFailsIsTheError(t *testing.T) {
	t.Parallel()
	s := &Server{pages: pageSigner{key: []byte("test")}}
	failed := errors.New("replay failed")
	read := 0
	l := listing{kind: "test", query: "q", size: 5}
	if _, _, err := pageSeq(s, l, counted([]pageItem{{k: 1}}, &read, failed), comparePageItems, pageItemKey, pageItemFromKey); !errors.Is(err, failed) {
		t.Fatalf("page of a failed listing: %v, want %v", err, failed)
	}
}

// TestTokensOfAnotherModelSchemaAreRefused: a token carries the read model's schema, whose flag keys it holds;
// a server over another schema refuses it by name (it would resume a few flags off), and its own it takes.
func TestTokensOfAnotherModelSchemaAreRefused(t *testing.T) {
	t.Parallel()
	old := pageSigner{key: []byte("test"), layout: "17"}
	now := pageSigner{key: []byte("test"), layout: "18"}
	tok := pageToken{Kind: "flags", Query: "q", After: json.RawMessage(`"a"`)}
	if _, err := now.decode(now.encode(tok), "flags", "q"); err != nil {
		t.Fatalf("a token of this schema: %v", err)
	}
	_, err := now.decode(old.encode(tok), "flags", "q")
	var p *problem
	if !errors.As(err, &p) || len(p.fields) != 1 || p.fields[0].Path != "page_token" ||
		!strings.Contains(p.fields[0].Problem, "schema of the read model (17, now 18)") {
		t.Fatalf("a token of schema 17 at 18: %v, want a page_token error naming both schemas", err)
	}
	// A token of before tokens carried a schema (no "l") is another schema's too.
	if _, err := now.decode((pageSigner{key: []byte("test")}).encode(tok), "flags", "q"); err == nil ||
		!strings.Contains(err.Error(), "older fairtrail") {
		t.Fatalf("a token without a schema: %v", err)
	}
}
