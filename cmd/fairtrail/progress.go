package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/fairtrail/fairtrail/eventstore"
)

// progress shows an import's progress: a bar redrawn in place on a terminal, or a line per durable batch.
type progress struct {
	w     io.Writer
	name  string
	size  int64
	mode  string // "bar", "lines" or "none"
	last  time.Time
	drawn bool
}

func newProgress(w io.Writer, name string, size int64, mode string) *progress {
	if mode == "auto" {
		mode = "none"
		if f, ok := w.(*os.File); ok {
			if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
				mode = "bar"
			}
		}
	}
	return &progress{w: w, name: name, size: size, mode: mode}
}

func (p *progress) update(ip eventstore.ImportProgress) {
	switch p.mode {
	case "lines":
		if ip.Phase == "store" {
			fmt.Fprintf(p.w, "%s: stored %d of %d events durably (%d new)\n", p.name, ip.Stored, ip.Valid, ip.Appended)
		}
	case "bar":
		if time.Since(p.last) < 100*time.Millisecond {
			return
		}
		p.last = time.Now()
		p.drawn = true
		frac, label := 0.0, ""
		switch ip.Phase {
		case "validate":
			if p.size > 0 {
				frac = float64(ip.Bytes) / float64(p.size)
			}
			label = fmt.Sprintf("validating %d lines", ip.Lines)
		case "store":
			if ip.Valid > 0 {
				frac = float64(ip.Stored) / float64(ip.Valid)
			}
			label = fmt.Sprintf("storing %d/%d events", ip.Stored, ip.Valid)
		}
		frac = min(max(frac, 0), 1)
		n := int(frac * 30)
		fmt.Fprintf(p.w, "\r%s [%s%s] %3.0f%% %s   ", p.name, strings.Repeat("=", n), strings.Repeat(" ", 30-n), frac*100, label)
	}
}

func (p *progress) done() {
	if p.drawn {
		fmt.Fprintln(p.w)
	}
}
