package main

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"strconv"
	"testing"
	"time"
)

// templateSheet is the worksheet part of the workbooks the tests write.
const templateSheet = "xl/worksheets/sheet1.xml"

// writeXLSX writes rows as the first sheet of a workbook; with dates set, the date column (B) of every row
// after the header is written as a date cell (a day number), as a spreadsheet program saves a typed date.
//
// The workbook is testdata/interviews/template.xlsx, which excelize wrote, with its sheet's rows replaced by
// rows written as excelize's stream writer writes them (inline strings, day numbers as values):
// TestTemplatesAgree holds this writer to that file, byte for byte. The tests import no spreadsheet library:
// excelize, compiled under -race for this package alone, was some 10 CPU seconds of a clean clone's race build
// (eventstore/interviews holds the reader to excelize on the workbooks excelize writes).
func writeXLSX(tb testing.TB, path string, rows [][]string, dates bool) {
	tb.Helper()
	zr, err := zip.OpenReader(templateXLSX)
	if err != nil {
		tb.Fatal(err)
	}
	defer zr.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: f.Method})
		if err != nil {
			tb.Fatal(err)
		}
		part := readPart(tb, f)
		if f.Name == templateSheet {
			part = sheetWithRows(tb, part, rows, dates)
		}
		if _, err := w.Write(part); err != nil {
			tb.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		tb.Fatal(err)
	}
}

func readPart(tb testing.TB, f *zip.File) []byte {
	tb.Helper()
	rc, err := f.Open()
	if err != nil {
		tb.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// sheetWithRows returns the worksheet part sheet with its rows (sheetData's content) replaced by rows.
func sheetWithRows(tb testing.TB, sheet []byte, rows [][]string, dates bool) []byte {
	tb.Helper()
	const open, end = "<sheetData>", "</sheetData>"
	i, j := bytes.Index(sheet, []byte(open)), bytes.Index(sheet, []byte(end))
	if i < 0 || j < i {
		tb.Fatalf("%s of %s has no %s", templateSheet, templateXLSX, open)
	}
	var b bytes.Buffer
	b.Write(sheet[:i+len(open)])
	for r, row := range rows {
		n := strconv.Itoa(r + 1)
		b.WriteString(`<row r="` + n + `">`)
		for c, v := range row {
			if c >= 26 {
				tb.Fatalf("row %d: %d columns, past Z", r+1, len(row))
			}
			ref := string(rune('A'+c)) + n
			if dates && r > 0 && c == 1 {
				b.WriteString(`<c r="` + ref + `"><v>` + dayNumber(tb, v) + `</v></c>`)
				continue
			}
			b.WriteString(`<c r="` + ref + `" t="inlineStr"><is><t>`)
			if err := xml.EscapeText(&b, []byte(v)); err != nil {
				tb.Fatal(err)
			}
			b.WriteString(`</t></is></c>`)
		}
		b.WriteString(`</row>`)
	}
	b.Write(sheet[j:])
	return b.Bytes()
}

// dayNumber is a date as a spreadsheet stores it: days since 1899-12-30.
func dayNumber(tb testing.TB, day string) string {
	tb.Helper()
	d, err := time.Parse(time.DateOnly, day)
	if err != nil {
		tb.Fatal(err)
	}
	return strconv.FormatInt(d.Unix()/86400+25569, 10)
}

// xlsxParts reads every part of a workbook, by name.
func xlsxParts(tb testing.TB, path string) map[string]string {
	tb.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer zr.Close()
	parts := map[string]string{}
	for _, f := range zr.File {
		parts[f.Name] = string(readPart(tb, f))
	}
	return parts
}

// firstDifference is the offset of the first byte where a and b differ (the shorter one's length if one is
// the other's prefix).
func firstDifference(a, b string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
