package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
	"github.com/fairtrail/fairtrail/eventstore/embedded"
)

// ratesFile is a long-layout file of MYR's rate on n days from 2020-01-01, every rate 5.05 but day at's.
func ratesFile(n, at int, rateAt string) string {
	var b strings.Builder
	b.WriteString("date,currency,rate\n")
	for i := range n {
		rate := "5.05"
		if i == at {
			rate = rateAt
		}
		fmt.Fprintf(&b, "%s,MYR,%s\n", ratesDay(i), rate)
	}
	return b.String()
}

// ratesDay is the date of day i of ratesFile.
func ratesDay(i int) string {
	return time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i).Format(time.DateOnly)
}

// TestRatesImportRefusesATableStoredWithOtherRates checks that a file one of whose tables past the first batch of
// 1,000 is stored under its id with other rates (the source corrected a date) is refused whole before anything is
// stored (not after the first batch), naming the table's line, date and event_id; that the file with the stored
// rates for that date stores every other table; and that importing it again is all duplicates.
func TestRatesImportRefusesATableStoredWithOtherRates(t *testing.T) {
	t.Parallel()
	const n, at = 1200, 1100 // at: the table stored before with other rates, past the first batch
	file := func(name, rateAt string) string {
		path := filepath.Join(t.TempDir(), name)
		writeOut(t, path, ratesFile(n, at, rateAt))
		return path
	}
	dir := t.TempDir()
	first := filepath.Join(t.TempDir(), "first.csv")
	writeOut(t, first, "date,currency,rate\n"+ratesDay(at)+",MYR,4.98\n")
	mustCLI(t, "rates", "import", "--data", dir, "--source", "ECB", first)

	corrected := file("corrected.csv", "5.05")
	code, _, errOut := cli(t, "", "rates", "import", "--data", dir, "--source", "ECB", corrected)
	want := fmt.Sprintf("%s:%d:1: the table of ECB for %s: event_id: already used by a different event (stored at "+
		"position 1 in rates-ecb-%[3]s); it holds other rates (a table is not corrected in place)\n", corrected, at+2, ratesDay(at))
	if code != 1 || !strings.Contains(errOut, want) || !strings.Contains(errOut, "nothing from this file was stored") {
		t.Fatalf("exit %d, stderr %q; want 1 naming %q", code, errOut, want)
	}
	if got := storedCount(t, dir); got != 1 {
		t.Fatalf("%d events stored, want the 1 before the refused file", got)
	}

	same := file("same.csv", "4.98")
	out := mustCLI(t, "rates", "import", "--data", dir, "--source", "ECB", same)
	if want := fmt.Sprintf("appended %d, duplicate 1", n-1); !strings.Contains(out, want) {
		t.Fatalf("the file with the stored table: %q, want %q", out, want)
	}
	out = mustCLI(t, "rates", "import", "--data", dir, "--source", "ECB", same)
	if want := fmt.Sprintf("appended 0, duplicate %d", n); !strings.Contains(out, want) {
		t.Fatalf("the same file again: %q, want %q", out, want)
	}
	if got := storedCount(t, dir); got != n {
		t.Fatalf("%d events stored, want %d", got, n)
	}
}

// TestStoreRatesIntoAStoreWithoutFinder checks that a store that cannot look ids up ahead still meets the table
// stored with other rates as the file is appended, after the first batch, and that the error then does not
// promise that importing the file again stores the rest.
func TestStoreRatesIntoAStoreWithoutFinder(t *testing.T) {
	t.Parallel()
	const n, at = 1200, 1100
	tables := func(rateAt string) []domain.RatesTable {
		ts, err := domain.ParseRatesFile(strings.NewReader(ratesFile(n, at, rateAt)), domain.RatesFileOptions{Source: "ECB"})
		if err != nil {
			t.Fatal(err)
		}
		return ts
	}
	s, err := embedded.Open(t.TempDir(), embedded.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, _, err := storeRates(t.Context(), s, tables("4.98")[at:at+1]); err != nil {
		t.Fatal(err)
	}
	plain := struct{ eventstore.Store }{s} // not a Finder
	appended, _, err := storeRates(t.Context(), plain, tables("5.05"))
	if !errors.Is(err, eventstore.ErrEventIDReused) || appended != ratesBatch {
		t.Fatalf("storeRates: %d appended, %v; want ErrEventIDReused after the first batch of %d", appended, err, ratesBatch)
	}
	if strings.Contains(err.Error(), "stores the rest") || !strings.Contains(err.Error(), "importing the file again stops at the same event") {
		t.Errorf("error %q promises what a retry cannot do", err)
	}
}
