package readmodel

import (
	"maps"
	"math"
	"slices"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/fairtrail/fairtrail/domain"
)

func TestHundredths(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		text string
		want int64
		ok   bool
	}{
		{"zero", "0.00", 0, true},
		{"under one", "0.35", 35, true},
		{"negative", "-1.20", -120, true},
		{"whole", "12.00", 1200, true},
		{"largest", "92233720368547758.07", math.MaxInt64, true},
		{"smallest", "-92233720368547758.08", math.MinInt64, true},
		{"beyond the largest", "92233720368547758.08", 0, false},
		{"beyond the smallest", "-92233720368547758.09", 0, false},
		{"far beyond", "184467440737095516.16", 0, false},
		{"one place", "0.5", 0, false},
		{"three places", "1.234", 0, false},
		{"no places", "12", 0, false},
		{"leading zero", "01.00", 0, false},
		{"negative zero", "-0.00", 0, false},
		{"plus sign", "+1.00", 0, false},
		{"exponent", "1e2.00", 0, false},
		{"comma", "1,00", 0, false},
		{"space", " 1.00", 0, false},
		{"empty", "", 0, false},
		{"no whole part", ".50", 0, false},
		{"sign only", "-.00", 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, ok := hundredths(tc.text)
			if ok != tc.ok || got != tc.want {
				t.Fatalf("hundredths(%q) = %d, %v; want %d, %v", tc.text, got, ok, tc.want, tc.ok)
			}
			if ok && hundredthsText(got) != tc.text {
				t.Fatalf("hundredthsText(%d) = %q, want %q", got, hundredthsText(got), tc.text)
			}
		})
	}
}

// FuzzHundredths holds that text read as hundredths is written back as it was, and is what
// decimal.StringFixed(2) writes for its value: the histogram a rebuild holds in hundredths is the one stored.
func FuzzHundredths(f *testing.F) {
	for _, s := range []string{"0.00", "0.35", "-1.20", "12.00", "-0.00", "0.5", "01.00", "92233720368547758.08"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		h, ok := hundredths(text)
		if !ok {
			d, err := decimal.NewFromString(text)
			if err == nil && d.StringFixed(2) == text && d.Shift(2).BigInt().IsInt64() {
				t.Fatalf("hundredths(%q) refused text StringFixed(2) writes", text)
			}
			return
		}
		if back := hundredthsText(h); back != text {
			t.Fatalf("hundredths(%q) = %d, written back %q", text, h, back)
		}
		if fixed := decimal.New(h, -2).StringFixed(2); fixed != text {
			t.Fatalf("hundredths(%q) = %d, which StringFixed(2) writes %q", text, h, fixed)
		}
	})
}

// FuzzHundredthsText holds that every integer of hundredths is written as StringFixed(2) writes it and read
// back as itself.
func FuzzHundredthsText(f *testing.F) {
	for _, h := range []int64{0, 1, -1, 35, -120, 1200, math.MaxInt64, math.MinInt64} {
		f.Add(h)
	}
	f.Fuzz(func(t *testing.T, h int64) {
		text := hundredthsText(h)
		if fixed := decimal.New(h, -2).StringFixed(2); fixed != text {
			t.Fatalf("hundredthsText(%d) = %q, StringFixed(2) writes %q", h, text, fixed)
		}
		if back, ok := hundredths(text); !ok || back != h {
			t.Fatalf("hundredths(%q) = %d, %v; want %d", text, back, ok, h)
		}
	})
}

// sumCase is a contribution added to a rollup row with a sign.
type sumCase struct {
	c    contribution
	sign int64
}

func worker(jobOrder, months string, money [moneyCols]map[string]string, flags ...int) contribution {
	c := contribution{Worker: true, JobOrder: jobOrder, Months: months, Money: money,
		Counts: make([]int64, len(domain.FlagCodes))}
	for _, i := range flags {
		c.Counts[i]++
	}
	c.flagged = c.total() > 0
	return c
}

func paid(byCur map[string]string) [moneyCols]map[string]string {
	var m [moneyCols]map[string]string
	m[colPaid], m[colOutstanding] = byCur, byCur
	return m
}

// TestSumRowFoldsAsRowAdds holds that the sums a rebuild holds (contributions added to a tally's sumRows,
// merged into a writer's, folded into a row) write what adding the contributions to a row writes.
func TestSumRowFoldsAsRowAdds(t *testing.T) {
	t.Parallel()
	big := "92233720368547758.07" // math.MaxInt64 hundredths
	for _, tc := range []struct {
		name  string
		parts [][]sumCase // each a tally's contributions
	}{
		{"workers of two tallies", [][]sumCase{
			{{worker("jo-1", "0.35", paid(map[string]string{"PHP": "1200.00", "AED": "30.50"}), 0), 1},
				{worker("jo-2", "1.20", paid(map[string]string{"PHP": "800.00"})), 1}},
			{{worker("jo-1", "0.35", paid(map[string]string{"PHP": "1.00"}), 1, 1), 1}},
		}},
		{"a worker judged again cancels out", [][]sumCase{
			{{worker("jo-1", "0.35", paid(map[string]string{"PHP": "1200.00"}), 0), 1}},
			{{worker("jo-1", "0.35", paid(map[string]string{"PHP": "1200.00"}), 0), -1},
				{worker("jo-1", "0.40", paid(map[string]string{"PHP": "1300.00"})), 1}},
		}},
		{"sums beyond int64", [][]sumCase{
			{{worker("jo-1", "", paid(map[string]string{"IDR": big})), 1}},
			{{worker("jo-1", "", paid(map[string]string{"IDR": big})), 1},
				{worker("jo-1", "", paid(map[string]string{"IDR": "0.01"})), 1}},
			{{worker("jo-1", "", paid(map[string]string{"IDR": big})), -1}},
		}},
		{"an amount beyond int64 alone", [][]sumCase{
			{{worker("jo-1", "", paid(map[string]string{"IDR": "123456789012345678901234.50"})), 1}},
			{{worker("jo-1", "", paid(map[string]string{"IDR": "0.50"})), 1}},
		}},
		{"other scales, exponents and currency codes", [][]sumCase{
			{{worker("jo-1", "", paid(map[string]string{"JPY": "5000", "KWD": "1.250", "XBTC": "0.00000001"})), 1}},
			{{worker("jo-1", "", paid(map[string]string{"JPY": "5E3", "KWD": "-1.250", "XBTC": "2.5"})), 1}},
		}},
		{"months of wages not in hundredths", [][]sumCase{
			{{worker("jo-1", "0.5", paid(nil)), 1}, {worker("jo-1", "-0.00", paid(nil)), 1}},
			{{worker("jo-1", "0.50", paid(nil)), 1}, {worker("jo-1", "0.5", paid(nil)), -1}},
		}},
		{"a job order's contribution", [][]sumCase{
			{{contribution{JobOrder: "jo-9", Counts: make([]int64, len(domain.FlagCodes))}, 1}},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			want := newRow()
			var n names
			held := map[rowKey]*sumRow{}
			for _, part := range tc.parts {
				tallied := newSumRow(len(domain.FlagCodes), nil)
				for _, s := range part {
					a, b := s.c, s.c
					if err := want.add(&a, s.sign); err != nil {
						t.Fatal(err)
					}
					if err := tallied.add(&b, s.sign); err != nil {
						t.Fatal(err)
					}
				}
				if mine := held[rowKey{}]; mine != nil {
					mine.merge(tallied)
				} else {
					tallied.adopt(&n)
					held[rowKey{}] = tallied
				}
			}
			got := newRow()
			held[rowKey{}].fold(got)
			assertSameRow(t, got, want)
		})
	}
}

func assertSameRow(t *testing.T, got, want *row) {
	t.Helper()
	if got.Workers != want.Workers || got.Flagged != want.Flagged || got.Substituted != want.Substituted {
		t.Errorf("workers %d/%d/%d, want %d/%d/%d", got.Workers, got.Flagged, got.Substituted, want.Workers,
			want.Flagged, want.Substituted)
	}
	if !slices.Equal(got.Counts, want.Counts) {
		t.Errorf("counts %v, want %v", got.Counts, want.Counts)
	}
	if !maps.Equal(got.Months, want.Months) {
		t.Errorf("months %v, want %v", got.Months, want.Months)
	}
	if g, w := got.moneyJSON(), want.moneyJSON(); g != w {
		t.Errorf("money %s, want %s", g, w)
	}
	for col := range moneyCols {
		if g, w := got.money(col), want.money(col); !slices.Equal(g, w) {
			t.Errorf("money column %d totals %v, want %v", col, g, w)
		}
	}
	if !maps.Equal(got.jobOrders, want.jobOrders) {
		t.Errorf("job orders %v, want %v", got.jobOrders, want.jobOrders)
	}
}
