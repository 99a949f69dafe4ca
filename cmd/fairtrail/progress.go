package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/fairtrail/fairtrail/eventstore"
)

// progressModes are the values of --progress: auto (a bar on a terminal), bar, lines (a line per durable
// batch, for logs), none.
var progressModes = []string{"auto", "bar", "lines", "none"}

// resolveMode turns auto into bar when w is a terminal, else into otherwise.
func resolveMode(mode string, w io.Writer, otherwise string) string {
	if mode != "auto" {
		return mode
	}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return "bar"
	}
	return otherwise
}

// newBar makes a command's one progress bar on w, to total units (-1: unknown, a spinner), with the rate and
// the time left; bytes shows the units as bytes.
func newBar(w io.Writer, total int64, bytes bool, units string) *progressbar.ProgressBar {
	opts := []progressbar.Option{
		progressbar.OptionSetWriter(w),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionSetWidth(24),
		progressbar.OptionThrottle(100 * time.Millisecond),
		progressbar.OptionSetRenderBlankState(true),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }),
	}
	if bytes {
		opts = append(opts, progressbar.OptionShowBytes(true)) // with the rate in bytes/s
	} else {
		opts = append(opts, progressbar.OptionShowIts(), progressbar.OptionSetItsString(units))
	}
	return progressbar.NewOptions64(total, opts...)
}

// importProgress shows an import of one or more files: one bar across every file and both phases (validating
// a file's bytes, then storing its events), or a line per durable batch.
type importProgress struct {
	w     io.Writer
	mode  string // "bar", "lines" or "none"
	bar   *progressbar.ProgressBar
	name  string
	size  int64 // of the current file; -1 unknown (standard input)
	base  int64 // bar units done before the current file
	total int64
}

// newImportProgress starts the display for files of the given sizes (-1 for one of unknown size). The bar
// counts each file's bytes twice, once validated and once stored.
func newImportProgress(w io.Writer, mode string, sizes []int64) *importProgress {
	p := &importProgress{w: w, mode: resolveMode(mode, w, "none")}
	for _, s := range sizes {
		if s < 0 || p.total < 0 {
			p.total = -1
			continue
		}
		p.total += 2 * s
	}
	if p.mode == "bar" {
		p.bar = newBar(w, p.total, true, "B")
	}
	return p
}

// file starts the next file.
func (p *importProgress) file(name string, size int64) {
	p.name, p.size = name, size
}

// update is the eventstore.ImportOptions.Progress callback.
func (p *importProgress) update(ip eventstore.ImportProgress) {
	switch p.mode {
	case "lines":
		if ip.Phase == "store" {
			fmt.Fprintf(p.w, "%s: stored %d of %d events durably (%d new)\n", p.name, ip.Stored, ip.Valid, ip.Appended)
		}
	case "bar":
		done := ip.Bytes
		switch {
		case ip.Phase == "validate":
			p.bar.Describe(fmt.Sprintf("%s: validating %d lines", p.name, ip.Lines))
		case p.size >= 0 && ip.Valid > 0:
			done = p.size + p.size*int64(ip.Stored)/int64(ip.Valid)
			p.bar.Describe(fmt.Sprintf("%s: storing %d/%d events", p.name, ip.Stored, ip.Valid))
		default:
			p.bar.Describe(fmt.Sprintf("%s: storing %d/%d events", p.name, ip.Stored, ip.Valid))
			return
		}
		p.bar.Set64(p.base + done)
	}
}

// fileDone moves the bar past the current file.
func (p *importProgress) fileDone() {
	if p.size > 0 {
		p.base += 2 * p.size
	}
	if p.bar != nil && p.total >= 0 {
		p.bar.Set64(p.base)
	}
}

// done ends the display.
func (p *importProgress) done() {
	if p.bar != nil {
		p.bar.Finish()
	}
}
