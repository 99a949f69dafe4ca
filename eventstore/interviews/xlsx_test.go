package interviews

import (
	"archive/zip"
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// excelizeRows reads a workbook's first sheet as excelize does (GetRows, raw cell values): the reader
// readXLSX replaced, which the tests keep as the reference.
func excelizeRows(t testing.TB, data []byte) [][]string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetList()[0], excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// sameRows reports whether two sheets' rows are the same (no row at all, however each reader says it).
func sameRows(a, b [][]string) bool {
	return len(a) == 0 && len(b) == 0 || reflect.DeepEqual(a, b)
}

// workbook writes a workbook with excelize: build fills it.
func workbook(t testing.TB, build func(f *excelize.File)) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	build(f)
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func set(t testing.TB, f *excelize.File, sheet, cell string, v any) {
	t.Helper()
	if err := f.SetCellValue(sheet, cell, v); err != nil {
		t.Fatal(err)
	}
}

// TestReadXLSXAgreesWithExcelize: on workbooks excelize writes, of every kind of cell an interview sheet can
// hold, readXLSX gives the rows excelize's GetRows gives with raw cell values.
func TestReadXLSXAgreesWithExcelize(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		build func(f *excelize.File)
	}{
		{"an interview sheet", func(f *excelize.File) {
			for i, row := range [][]any{
				{"worker", "date", "kind", "amount", "currency", "note"},
				{"w-000001", 45720, "fee_not_recorded", "1500.00", "NPR", "paid the agent in cash"},
				{"w-000002", 45721.5, "document_held", nil, nil, "passport kept by the employer"},
			} {
				for j, v := range row {
					if v != nil {
						cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
						set(t, f, "Sheet1", cell, v)
					}
				}
			}
		}},
		{"numbers, booleans, dates and times as stored", func(f *excelize.File) {
			set(t, f, "Sheet1", "A1", 3.14159265358979)
			set(t, f, "Sheet1", "B1", -42)
			set(t, f, "Sheet1", "C1", true)
			set(t, f, "Sheet1", "D1", false)
			set(t, f, "Sheet1", "E1", 1e21)
			set(t, f, "Sheet1", "F1", uint64(18446744073709551615))
		}},
		{"gaps, empty rows and trailing empty rows", func(f *excelize.File) {
			set(t, f, "Sheet1", "D2", "alone")
			set(t, f, "Sheet1", "A5", "after three empty rows")
			set(t, f, "Sheet1", "AB5", "far right")
			set(t, f, "Sheet1", "B7", "")
			if err := f.SetRowHeight("Sheet1", 9, 30); err != nil { // a row element with no cell
				t.Fatal(err)
			}
		}},
		{"texts needing escapes", func(f *excelize.File) {
			set(t, f, "Sheet1", "A1", "tab\tand\nnewline")
			set(t, f, "Sheet1", "B1", "bell\x07and backspace\x08")
			set(t, f, "Sheet1", "C1", "_x0041_ literally")
			set(t, f, "Sheet1", "D1", "<&> \"quotes\" 'apostrophes'")
			set(t, f, "Sheet1", "E1", "नेपाली বাংলা 中文 🙂")
			set(t, f, "Sheet1", "F1", "  leading and trailing spaces  ")
			set(t, f, "Sheet1", "G1", "_x005F_x0041_")
		}},
		{"rich text and formulas", func(f *excelize.File) {
			if err := f.SetCellRichText("Sheet1", "A1", []excelize.RichTextRun{
				{Text: "bold ", Font: &excelize.Font{Bold: true}}, {Text: "and plain"},
			}); err != nil {
				t.Fatal(err)
			}
			if err := f.SetCellFormula("Sheet1", "B1", "1+1"); err != nil {
				t.Fatal(err)
			}
			set(t, f, "Sheet1", "C1", "after the formula")
		}},
		{"the first of several sheets", func(f *excelize.File) {
			set(t, f, "Sheet1", "A1", "first")
			if _, err := f.NewSheet("Other"); err != nil {
				t.Fatal(err)
			}
			set(t, f, "Other", "A1", "second")
			if err := f.SetSheetName("Sheet1", "Interviews"); err != nil {
				t.Fatal(err)
			}
		}},
		{"an empty sheet", func(*excelize.File) {}},
		{"written by the stream writer (inline strings)", func(f *excelize.File) {
			sw, err := f.NewStreamWriter("Sheet1")
			if err != nil {
				t.Fatal(err)
			}
			for i, row := range [][]any{{"worker", "date"}, {"w-000003", 45722}, nil, {nil, "b4"}} {
				cell, _ := excelize.CoordinatesToCellName(1, i+1)
				if err := sw.SetRow(cell, row); err != nil {
					t.Fatal(err)
				}
			}
			if err := sw.Flush(); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data := workbook(t, c.build)
			got, err := firstSheetRows(data)
			if err != nil {
				t.Fatal(err)
			}
			if want := excelizeRows(t, data); !sameRows(got, want) {
				t.Errorf("rows\n got %q\nwant %q", got, want)
			}
		})
	}
}

// FuzzReadXLSXAgreesWithExcelize writes a sheet of the fuzzer's cells with excelize and reads it both ways.
func FuzzReadXLSXAgreesWithExcelize(f *testing.F) {
	f.Add("worker|date|kind\nw-1|45720|fee_not_recorded\n\n|x|_x0041_")
	f.Add("a\x01b|  |\n|||far")
	f.Fuzz(func(t *testing.T, grid string) {
		if len(grid) > 2000 || !utf8.ValidString(grid) {
			return
		}
		data := workbook(t, func(f *excelize.File) {
			for i, line := range strings.Split(grid, "\n") {
				for j, v := range strings.Split(line, "|") {
					if j >= 30 {
						continue
					}
					cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
					if err := f.SetCellStr("Sheet1", cell, v); err != nil {
						return
					}
				}
			}
		})
		got, err := firstSheetRows(data)
		if err != nil {
			t.Fatal(err)
		}
		if want := excelizeRows(t, data); !sameRows(got, want) {
			t.Errorf("rows of %q\n got %q\nwant %q", grid, got, want)
		}
	})
}

// TestReadXLSXRefusesBadWorkbooks: a workbook that is not one, or has no sheet, or expands past the limit, is a
// problem at row 1 with its reason, never a panic or a half-read sheet.
func TestReadXLSXRefusesBadWorkbooks(t *testing.T) {
	t.Parallel()
	zipOf := func(parts map[string]string) []byte {
		var b bytes.Buffer
		z := zip.NewWriter(&b)
		for name, text := range parts {
			w, err := z.Create(name)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.Write([]byte(text)); err != nil {
				t.Fatal(err)
			}
		}
		if err := z.Close(); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	const book = `<workbook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>`
	const rels = `<Relationships><Relationship Id="rId1" Type="x/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"not a ZIP", []byte("PK\x03\x04 but nothing else"), "not an XLSX workbook"},
		{"no workbook part", zipOf(map[string]string{"x.txt": "hello"}), "no workbook part"},
		{"no sheet", zipOf(map[string]string{"xl/workbook.xml": `<workbook><sheets/></workbook>`}), "the workbook has no sheet"},
		{"a sheet without its part", zipOf(map[string]string{"xl/workbook.xml": book, "xl/_rels/workbook.xml.rels": rels}),
			"does not hold"},
		{"a bad cell reference", zipOf(map[string]string{"xl/workbook.xml": book, "xl/_rels/workbook.xml.rels": rels,
			"xl/worksheets/sheet1.xml": `<worksheet><sheetData><row r="1"><c r="1A"><v>1</v></c></row></sheetData></worksheet>`}),
			`cell "1A": not a cell reference`},
		{"a column past XFD", zipOf(map[string]string{"xl/workbook.xml": book, "xl/_rels/workbook.xml.rels": rels,
			"xl/worksheets/sheet1.xml": `<worksheet><sheetData><row r="1"><c r="XFE1"><v>1</v></c></row></sheetData></worksheet>`}),
			"past the last column"},
		{"rows out of order", zipOf(map[string]string{"xl/workbook.xml": book, "xl/_rels/workbook.xml.rels": rels,
			"xl/worksheets/sheet1.xml": `<worksheet><sheetData><row r="3"/><row r="2"/></sheetData></worksheet>`}),
			"row 2 after row 3"},
		{"malformed XML", zipOf(map[string]string{"xl/workbook.xml": book, "xl/_rels/workbook.xml.rels": rels,
			"xl/worksheets/sheet1.xml": `<worksheet><sheetData><row r="1"><c r="A1"><v>1</c>`}),
			"worksheet:"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := readXLSX(bytes.NewReader(c.data))
			var p Problems
			if !errors.As(err, &p) || len(p) != 1 || p[0].Row != 1 || !strings.Contains(p[0].Problem, c.want) {
				t.Fatalf("got %v, want a problem at row 1 naming %q", err, c.want)
			}
		})
	}
}
