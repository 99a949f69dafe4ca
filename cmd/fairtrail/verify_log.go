package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/checkpoint"
)

// verifyCheckpoint holds the log to a kept checkpoint; the lines returned say what failed.
func verifyCheckpoint(ctx context.Context, s eventstore.Store, o verifyOptions, env environment) ([]string, error) {
	v, err := checkpoint.ParseVerifier(o.key)
	if err != nil {
		return nil, usagef("verify: --key: %v", err)
	}
	signed, err := readCheckpoint(ctx, o.checkpoint, o.apiKey)
	if err != nil {
		return nil, err
	}
	cp, _, err := checkpoint.Open(signed, v)
	if err != nil {
		return []string{fmt.Sprintf("checkpoint %s: %v", o.checkpoint, err)}, nil
	}
	var earlier []checkpoint.Checkpoint
	if *o.sf.url == "" {
		// The operator's own journal narrows down where the log differs when its tree was rebuilt too.
		if j, err := checkpoint.OpenJournal(filepath.Join(*o.sf.data, "checkpoints.ndjson")); err == nil {
			earlier, _ = j.Checkpoints(v)
		}
	}
	rep, err := checkpoint.Verify(ctx, s, cp, earlier...)
	if err != nil {
		return nil, err
	}
	if !rep.OK() {
		return []string{"checkpoint of " + cp.Origin + ": " + rep.String()}, nil
	}
	fmt.Fprintf(env.stdout, "checkpoint of %s at %d events: %s\n", cp.Origin, cp.Size, rep)
	return nil, nil
}

// readCheckpoint reads a signed checkpoint from a file or an http(s) URL.
func readCheckpoint(ctx context.Context, src, apiKey string) ([]byte, error) {
	if !strings.HasPrefix(src, "http://") && !strings.HasPrefix(src, "https://") {
		b, err := os.ReadFile(src)
		if err != nil {
			return nil, fmt.Errorf("--checkpoint: %w", err)
		}
		return b, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, src, nil)
	if err != nil {
		return nil, usagef("--checkpoint %q: %v", src, err)
	}
	if apiKey != "" {
		req.Header.Set("Authorization", "Bearer "+apiKey)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("--checkpoint: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("%s", resp.Status)
	}
	if err != nil {
		return nil, fmt.Errorf("--checkpoint %s: %w", src, err)
	}
	return b, nil
}

// receipt is one line of a receipts file: what a writer kept of an event.
type receipt struct {
	EventID   string `json:"event_id"`
	Hash      string `json:"hash"`
	LeafIndex int64  `json:"leaf_index"`
	LeafHash  string `json:"leaf_hash"`
}

// verifyReceipts checks that every receipt's event is still at its leaf, unchanged.
func verifyReceipts(ctx context.Context, s eventstore.Store, path string, env environment) ([]string, error) {
	l, ok := s.(eventstore.Log)
	if !ok {
		return nil, fmt.Errorf("verify --receipts: the store keeps no log")
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--receipts: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var failed []string
	n := 0
	for line := 1; sc.Scan(); line++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var r receipt
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil || r.EventID == "" || r.LeafIndex < 0 {
			return nil, usagef("--receipts %s line %d: not a receipt (event_id, hash, leaf_index, leaf_hash)", path, line)
		}
		n++
		if problem := checkReceipt(ctx, l, r); problem != "" {
			failed = append(failed, fmt.Sprintf("receipt line %d (event %s, leaf %d): %s", line, r.EventID, r.LeafIndex, problem))
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("--receipts: %w", err)
	}
	if len(failed) == 0 {
		fmt.Fprintf(env.stdout, "%d receipts: every event is at its leaf, unchanged\n", n)
	}
	return failed, nil
}

func checkReceipt(ctx context.Context, l eventstore.Log, r receipt) string {
	rec, err := l.LeafEvent(ctx, r.LeafIndex)
	if err != nil {
		return fmt.Sprintf("the log has no such leaf (%v)", err)
	}
	leaf := eventstore.LeafHash(eventstore.Leaf(rec))
	switch {
	case rec.ID.String() != r.EventID:
		return fmt.Sprintf("the leaf now holds event %s (stream %s, revision %d)", rec.ID, rec.Stream, rec.Revision)
	case rec.Hash != r.Hash:
		return fmt.Sprintf("the event's hash is now %s", rec.Hash)
	case fmt.Sprintf("%x", leaf[:]) != r.LeafHash:
		return "the event's leaf (recorded_at, recorded_by, stream or revision) changed"
	}
	return ""
}

func joinLines(lines []string) string { return strings.Join(lines, "\n") }
