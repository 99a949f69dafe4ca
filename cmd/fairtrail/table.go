package main

import (
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/rivo/uniseg"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/fairtrail/fairtrail/projections/export"
)

// defaultWidth is the width tables fit when neither $COLUMNS nor a terminal says otherwise.
const defaultWidth = 80

// listSep joins the items of a list in one table cell (buyers, languages, amounts), as in CSV fields.
const listSep = export.ListSep

// ellipsis marks a cell cut to fit the width.
const ellipsis = "…"

// table lays rows out in columns two spaces apart. When a width is given and the table is wider, columns are
// cut, each cut cell ending in an ellipsis, until it fits: those of the lowest priority first, the widest of
// them first.
type table struct {
	indent string
	rows   [][]string  // the first is the header
	prio   map[int]int // column priority (default 0): higher is cut later
}

// newTable starts a table with its header.
func newTable(head ...string) *table { return &table{rows: [][]string{head}, prio: map[int]int{}} }

// priority sets the priority of columns: when the table must be cut, columns of a higher priority are cut
// only if cutting all of lower priority is not enough.
func (t *table) priority(level int, cols ...int) *table {
	for _, c := range cols {
		t.prio[c] = level
	}
	return t
}

// add appends a row.
func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

// write prints the table fitted to width columns (0: no limit).
func (t *table) write(w io.Writer, width int) error {
	_, err := io.WriteString(w, strings.Join(t.lines(width), "\n")+"\n")
	return err
}

// lines lays the table out fitted to width columns (0: no limit), a line per row, the header first.
func (t *table) lines(width int) []string {
	widths := t.natural()
	if width > 0 {
		t.fit(widths, width-len(t.indent)-2*(len(widths)-1))
	}
	out := make([]string, len(t.rows))
	var b strings.Builder
	for r, row := range t.rows {
		b.Reset()
		b.WriteString(t.indent)
		for i, cell := range row {
			cell = cut(cell, widths[i])
			b.WriteString(cell)
			if i < len(row)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-uniseg.StringWidth(cell)+2))
			}
		}
		out[r] = b.String()
	}
	return out
}

// wrap breaks text into lines of at most width columns (0: no limit) at spaces, each starting with indent.
// A word longer than a line stays whole.
func wrap(text, indent string, width int) []string {
	var out []string
	line := indent
	for _, word := range strings.Fields(text) {
		switch {
		case line == indent:
			line += word
		case width > 0 && uniseg.StringWidth(line)+1+uniseg.StringWidth(word) > width:
			out = append(out, line)
			line = indent + word
		default:
			line += " " + word
		}
	}
	return append(out, line)
}

// natural is each column's widest cell.
func (t *table) natural() []int {
	var widths []int
	for _, row := range t.rows {
		for i, cell := range row {
			if i == len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], uniseg.StringWidth(cell))
		}
	}
	return widths
}

// minColumn is the narrowest a column is cut to: two characters and the ellipsis.
const minColumn = 3

// fit narrows columns, lowest priority first, until the widths add up to at most room.
func (t *table) fit(widths []int, room int) {
	levels := []int{}
	for i := range widths {
		if !slices.Contains(levels, t.prio[i]) {
			levels = append(levels, t.prio[i])
		}
	}
	slices.Sort(levels)
	for _, level := range levels {
		var cols []int
		others := 0
		for i, w := range widths {
			if t.prio[i] == level {
				cols = append(cols, w)
			} else {
				others += w
			}
		}
		capColumns(cols, room-others)
		j := 0
		for i := range widths {
			if t.prio[i] == level {
				widths[i] = cols[j]
				j++
			}
		}
		if others+sum(cols) <= room {
			return
		}
	}
}

func sum(xs []int) int {
	n := 0
	for _, x := range xs {
		n += x
	}
	return n
}

// capColumns narrows the widest columns, all to the same cap, until their sum is at most room. Columns
// already narrower than the cap keep their width; none is cut below minColumn.
func capColumns(widths []int, room int) {
	capped := func(limit int) int {
		n := 0
		for _, w := range widths {
			n += min(w, limit)
		}
		return n
	}
	widest := 0
	for _, w := range widths {
		widest = max(widest, w)
	}
	limit := widest
	for limit > minColumn && capped(limit) > room {
		limit--
	}
	for i, w := range widths {
		widths[i] = min(w, limit)
	}
}

// cut shortens s to at most width columns, ending it with an ellipsis when it was longer.
func cut(s string, width int) string {
	if uniseg.StringWidth(s) <= width {
		return s
	}
	var b strings.Builder
	used := 0
	g := uniseg.NewGraphemes(s)
	for g.Next() {
		if used+g.Width() > width-1 {
			break
		}
		b.WriteString(g.Str())
		used += g.Width()
	}
	return b.String() + ellipsis
}

// wideFlag adds --wide, which prints tables at their full width.
func wideFlag(cmd *cobra.Command) *bool {
	return cmd.Flags().Bool("wide", false, "print tables at full width instead of fitting them to the terminal "+
		"($COLUMNS, else the terminal's width, else 80 columns) with cut cells ending in …")
}

// tableWidth is the width tables are fitted to: 0 (no limit) with --wide, else $COLUMNS, else the width of
// the terminal standard output is, else defaultWidth.
func tableWidth(env environment, wide bool) int {
	if wide {
		return 0
	}
	if n, err := strconv.Atoi(env.getenv("COLUMNS")); err == nil && n > 0 {
		return n
	}
	if f, ok := env.stdout.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 0 {
			return w
		}
	}
	return defaultWidth
}

// say writes text wrapped to width (0: no limit) and ends it with a newline.
func say(w io.Writer, width int, text string) {
	for _, l := range wrap(text, "", width) {
		io.WriteString(w, l+"\n")
	}
}
