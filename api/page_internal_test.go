package api

import (
	"cmp"
	"encoding/json"
	"errors"
	"iter"
	"slices"
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
