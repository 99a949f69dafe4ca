package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/fairtrail/fairtrail/projections/readmodel"
)

// importFigures are the `fairtrail import` command's, run as a new process on an empty data directory: the
// whole command, read model included, and its durable append alone.
type importFigures struct {
	ImportModelSeconds    float64 `json:"import_model_seconds"`
	ImportModelEventsPerS float64 `json:"import_model_events_per_s"`
	ImportModelRSSBytes   int64   `json:"import_model_peak_rss_bytes"`
}

// benchImportCommand runs `fairtrail import --progress lines` on the head of the dataset into the empty store
// directory storeDir, its spool in spoolDir, and measures the whole command (the read model it builds after
// the append included) and, up to its last "stored N of N events durably" line, the durable append alone.
// The dataset file is removed at the first such line: the command has read it whole by then (it validates
// every line before it stores any), and its space is free for the read model once the command closes it.
func benchImportCommand(ctx context.Context, storeDir, spoolDir string, d *benchData, w *writeFigures, f *importFigures) error {
	removed := make(chan error, 1)
	lines := &lastStored{first: func() { removed <- os.Remove(d.file) }}
	r, err := runChild(ctx, childIO{env: []string{"TMPDIR=" + spoolDir}, stderr: lines},
		"import", "--progress", "lines", "--data", storeDir, d.file)
	if err != nil {
		return err
	}
	stored := lines.at()
	if stored.IsZero() {
		return fmt.Errorf("bench: fairtrail import printed no \"events durably\" line")
	}
	if err := <-removed; err != nil {
		return fmt.Errorf("bench: remove the imported dataset: %w", err)
	}
	took := stored.Sub(r.started)
	w.ImportEvents, w.ImportSeconds, w.ImportEventsPerS = d.importEvents, took.Seconds(), perSecond(d.importEvents, took)
	f.ImportModelSeconds, f.ImportModelEventsPerS = r.took.Seconds(), perSecond(d.importEvents, r.took)
	f.ImportModelRSSBytes = r.rss
	return nil
}

// lastStored notes when the last line saying "events durably" (import's --progress lines) was written to it,
// and calls first (if not nil) at the first.
type lastStored struct {
	mu    sync.Mutex
	last  time.Time
	first func()
}

func (l *lastStored) Write(b []byte) (int, error) {
	if !bytes.Contains(b, []byte("events durably")) {
		return len(b), nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.last.IsZero() && l.first != nil {
		l.first()
	}
	l.last = time.Now()
	return len(b), nil
}

func (l *lastStored) at() time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.last
}

// removeModel deletes the read model in dir (its file and SQLite's write-ahead log and shared memory), so that
// the next command rebuilds it from position 0.
func removeModel(dir string) error {
	base := filepath.Join(dir, readmodel.FileName)
	for _, name := range []string{base, base + "-wal", base + "-shm"} {
		if err := os.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("bench: remove the read model: %w", err)
		}
	}
	return nil
}
