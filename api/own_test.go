package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fairtrail/fairtrail/api"
	"github.com/fairtrail/fairtrail/api/keys"
	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore/notes"
)

// linkSecret makes a link for the worker as admin and returns its secret.
func linkSecret(t *testing.T, f *fixture, worker string) (secret, id string) {
	t.Helper()
	w := f.do("POST", "/v1/workers/"+worker+"/links", "admin", nil, nil)
	var got struct {
		Link struct{ ID string } `json:"link"`
		URL  string              `json:"url"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil || w.Code != 201 {
		t.Fatalf("make a link: %d %s", w.Code, w.Body)
	}
	return got.URL[strings.LastIndex(got.URL, "/")+1:], got.Link.ID
}

// TestWorkerReportThroughALink: a link opens its worker's record and nobody else's; a report through it is
// recorded as the worker's, over the worker_link channel, its note in the note store and only its hash in the
// event, and the brand then sees fee.reported_unrecorded.
func TestWorkerReportThroughALink(t *testing.T) {
	ns, err := notes.Open(filepath.Join(t.TempDir(), "notes"), notes.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ns.Close() })
	f := newFixture(t, true, func(c *api.Config) { c.Notes = ns })
	rd := f.srv.Reader()
	ctx := context.Background()
	secret, linkID := linkSecret(t, f, "w-a1")
	own, err := rd.Own(ctx, secret)
	if err != nil || own.WorkerID != "w-a1" || own.Report.WorkerID != "w-a1" || len(own.Receipts) == 0 {
		t.Fatalf("own record: %+v, %v", own, err)
	}
	bad := api.WorkerReport{Kind: "fee_not_recorded", Language: "ne", FeeCategory: "medical", FeeAmount: "lots", FeeCurrency: "NPR"}
	var ve *domain.ValidationError
	if err := rd.RecordReport(ctx, secret, bad); !errors.As(err, &ve) || !strings.Contains(err.Error(), "fee.amount") {
		t.Errorf("a bad amount: %v, want a validation error naming fee.amount", err)
	}
	note := "I paid the medical fee in cash to the sub-agent"
	good := bad
	good.FeeAmount, good.Note = "12000", note
	if err := rd.RecordReport(ctx, secret, good); err != nil {
		t.Fatal(err)
	}
	w := f.get("/v1/workers/w-a1/history", "admin")
	var h struct {
		Timeline []struct {
			Type       string          `json:"type"`
			RecordedBy string          `json:"recorded_by"`
			Data       json.RawMessage `json:"data"`
		} `json:"timeline"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &h); err != nil {
		t.Fatal(err)
	}
	var reports []string
	for _, e := range h.Timeline {
		if e.Type == domain.TypeWorkerReported {
			reports = append(reports, e.RecordedBy+" "+string(e.Data))
		}
	}
	if len(reports) != 1 || !strings.HasPrefix(reports[0], "worker ") || !strings.Contains(reports[0], `"channel":"worker_link"`) ||
		!strings.Contains(reports[0], `"note_sha256":"`+notes.Hash(note)+`"`) || strings.Contains(reports[0], "cash") {
		t.Fatalf("reports recorded: %v", reports)
	}
	if got, err := ns.Get(ctx, notes.Hash(note)); err != nil || got.Text != note {
		t.Errorf("note store: %+v, %v", got, err)
	}
	flags, err := rd.Flags(ctx, identityOf(t, f, "buyerA"), url.Values{"worker": {"w-a1"}})
	if err != nil || !hasCode(flags, "fee.reported_unrecorded") {
		t.Errorf("buyer's flags of w-a1: %v, %v; want fee.reported_unrecorded", flags, err)
	}
	if w := f.do("DELETE", "/v1/workers/w-a1/links/"+linkID, "admin", nil, nil); w.Code != 200 {
		t.Fatalf("revoke: %d", w.Code)
	}
	if _, err := rd.Own(ctx, secret); !errors.Is(err, api.ErrUnknownLink) {
		t.Errorf("a revoked link opens: %v", err)
	}
	if err := rd.RecordReport(ctx, secret, good); !errors.Is(err, api.ErrUnknownLink) {
		t.Errorf("a report through a revoked link: %v", err)
	}
}

func hasCode(flags []domain.Flag, code string) bool {
	for _, fl := range flags {
		if fl.Code == code {
			return true
		}
	}
	return false
}

func identityOf(t *testing.T, f *fixture, key string) keys.Identity {
	t.Helper()
	who, err := f.keys.Authenticate(f.key[key])
	if err != nil {
		t.Fatal(err)
	}
	return who
}
