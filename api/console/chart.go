package console

import (
	"cmp"
	"maps"
	"slices"

	"github.com/fairtrail/fairtrail/projections/readmodel"
)

// chart is a bar chart drawn on the server as SVG (templates/layout.html's "bars"), with the same figures in
// a table for screen readers and for reading without images.
type chart struct {
	Title string // a catalogue key
	Bars  []bar
}

// bar is one bar: its length is Value over the chart's largest value, in SVG units of barSpan.
type bar struct {
	Label string
	Value int
	Len   int
	Y     int // the bar's top, in SVG units
	TextY int
}

// barSpan is the longest bar, barStep the height of a row, in SVG units.
const (
	barSpan = 240
	barStep = 24
)

// Height is the chart's SVG height.
func (c chart) Height() int { return len(c.Bars)*barStep + 4 }

// LabelWidth is the room for the longest label, in SVG units (about 7.5 per character at font size 13).
func (c chart) LabelWidth() int {
	n := 0
	for _, b := range c.Bars {
		n = max(n, len(b.Label))
	}
	return n*15/2 + 8
}

// Width is the chart's SVG width: the labels, the longest bar and room for its value.
func (c chart) Width() int { return c.LabelWidth() + barSpan + 50 }

// newChart lays bars out, largest value filling barSpan.
func newChart(title string, labels []string, values []int) chart {
	top := 0
	for _, v := range values {
		top = max(top, v)
	}
	c := chart{Title: title}
	for i, l := range labels {
		n := 0
		if top > 0 {
			n = max(1, values[i]*barSpan/top)
		}
		c.Bars = append(c.Bars, bar{Label: l, Value: values[i], Len: n, Y: i*barStep + 2, TextY: i*barStep + 17})
	}
	return c
}

// byCode adds the counts up per code, codes in order.
func byCode(counts []readmodel.FlagCount) chart {
	per := map[string]int{}
	for _, c := range counts {
		per[c.Code] += c.Flags
	}
	codes := slices.Sorted(maps.Keys(per))
	values := make([]int, len(codes))
	for i, c := range codes {
		values[i] = per[c]
	}
	return newChart("overview.bycode", codes, values)
}

// byMonth adds the counts up per month raised, the last twelve months that have any.
func byMonth(counts []readmodel.FlagCount) chart {
	per := map[string]int{}
	for _, c := range counts {
		per[c.Month] += c.Flags
	}
	months := slices.SortedFunc(maps.Keys(per), func(a, b string) int { return cmp.Compare(a, b) })
	months = months[max(0, len(months)-12):]
	values := make([]int, len(months))
	for i, m := range months {
		values[i] = per[m]
	}
	return newChart("overview.bymonth", months, values)
}
