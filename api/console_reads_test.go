package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"testing"

	"github.com/fairtrail/fairtrail/api"
	"github.com/fairtrail/fairtrail/domain"
)

// TestReaderSeesWhatTheAPIShows holds the console's reads to the API's answers for the same key: the same flags
// in the same order, and not found for what the key may not read.
func TestReaderSeesWhatTheAPIShows(t *testing.T) {
	f := newFixture(t, true)
	rd := f.srv.Reader()
	ctx := context.Background()
	for _, key := range []string{"admin", "buyerA", "buyerB", "auditorA", "empA", "agA", "subA"} {
		t.Run(key, func(t *testing.T) {
			who, err := f.keys.Authenticate(f.key[key])
			if err != nil {
				t.Fatal(err)
			}
			got, err := rd.Flags(ctx, who, url.Values{})
			if err != nil {
				t.Fatal(err)
			}
			w := f.get("/v1/flags?page_size=1000", key)
			var page struct{ Flags []domain.Flag }
			if err := json.Unmarshal(w.Body.Bytes(), &page); err != nil {
				t.Fatal(err)
			}
			if len(page.Flags) == 0 && len(got) == 0 {
				return
			}
			a, b := normalJSON(t, got), normalJSON(t, page.Flags)
			if a != b {
				t.Errorf("reader: %d flags, API: %d\n reader %s\n    api %s", len(got), len(page.Flags), a, b)
			}
		})
	}
}

func TestReaderOutOfScopeIsNotFound(t *testing.T) {
	f := newFixture(t, true)
	rd := f.srv.Reader()
	ctx := context.Background()
	who, err := f.keys.Authenticate(f.key["buyerA"])
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		read func() error
	}{
		{"another buyer's worker", func() error { _, err := rd.Worker(ctx, who, "w-b1", nil); return err }},
		{"a missing worker", func() error { _, err := rd.Worker(ctx, who, "w-none", nil); return err }},
		{"another buyer's job order", func() error { _, _, err := rd.JobOrder(ctx, who, "jo-b"); return err }},
		{"another buyer's receipts", func() error { _, err := rd.Receipts(ctx, who, "w-b1"); return err }},
		{"another buyer's audit", func() error {
			_, _, err := rd.Audit(ctx, who, url.Values{"buyer": {"buyer-b"}})
			return err
		}},
		{"flags of another buyer's job order", func() error {
			_, err := rd.Flags(ctx, who, url.Values{"job_order": {"jo-b"}})
			return err
		}},
	} {
		if err := tc.read(); !errors.Is(err, api.ErrNotFound) {
			t.Errorf("%s: %v, want api.ErrNotFound", tc.name, err)
		}
	}
	if _, err := rd.Worker(ctx, who, "w-a1", nil); err != nil {
		t.Errorf("the buyer's own worker: %v", err)
	}
}

// normalJSON encodes flags with their details as JSON objects read back, so that a struct's field order and a
// map's key order compare equal.
func normalJSON(t *testing.T, flags []domain.Flag) string {
	t.Helper()
	b, err := json.Marshal(flags)
	if err != nil {
		t.Fatal(err)
	}
	var back []domain.Flag
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(back)
	return string(out)
}
