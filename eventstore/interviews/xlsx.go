package interviews

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
)

// An interview sheet's workbook is read here with archive/zip and encoding/xml rather than with excelize, whose
// package set-up (its regular expressions and tables, built when any fairtrail command starts) cost every
// process about 14 ms of CPU and 600 page faults: a third of a cold `flags --worker`'s start. What is read is
// what excelize's GetRows gives with RawCellValue: the first sheet's cells as stored, each row's cells up to
// its last non-empty one (or formula), rows numbered as the sheet numbers them, the empty rows between kept
// empty and those after the last dropped; shared and inline strings joined from their runs, with the OOXML
// escapes _xHHHH_ decoded. TestReadXLSXAgreesWithExcelize holds the two readers to the same rows on workbooks
// excelize writes.

// Limits of a worksheet (ECMA-376): columns XFD, rows 1,048,576.
const (
	maxColumns   = 16_384
	maxSheetRows = 1_048_576
)

// errUnzipLimit is a workbook whose parts would expand past maxUnzipped.
var errUnzipLimit = fmt.Errorf("its parts expand to more than %d bytes", maxUnzipped)

// readXLSX reads the first sheet of a workbook, with cells as stored (numbers without their display format).
func readXLSX(r io.Reader) (*table, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read XLSX: %w", err)
	}
	rows, err := firstSheetRows(data)
	if err != nil {
		var p Problems
		if errors.As(err, &p) {
			return nil, p
		}
		return nil, Problems{{Row: 1, Problem: "not an XLSX workbook: " + err.Error()}}
	}
	t := &table{rows: rows, nums: make([]int, len(rows)), serialDates: true}
	for i := range rows {
		t.nums[i] = i + 1
	}
	return t, nil
}

// workbookParts reads a workbook's parts by name, within maxUnzipped in all.
type workbookParts struct {
	files map[string]*zip.File
	left  int64 // bytes that may still be unzipped
}

// open opens the part at name, to be read within what may still be unzipped; ok is false when the workbook
// has none.
func (w *workbookParts) open(name string) (rc io.ReadCloser, ok bool, err error) {
	f := w.files[name]
	if f == nil {
		return nil, false, nil
	}
	zrc, err := f.Open()
	if err != nil {
		return nil, true, fmt.Errorf("%s: %w", name, err)
	}
	return budgeted{zrc, w}, true, nil
}

// read returns the whole part at name; ok is false when the workbook has none.
func (w *workbookParts) read(name string) (data []byte, ok bool, err error) {
	rc, ok, err := w.open(name)
	if !ok || err != nil {
		return nil, ok, err
	}
	defer rc.Close()
	if data, err = io.ReadAll(rc); err != nil {
		return nil, true, fmt.Errorf("%s: %w", name, err)
	}
	return data, true, nil
}

// budgeted reads a part, counting its bytes against what the workbook may still unzip.
type budgeted struct {
	io.ReadCloser
	w *workbookParts
}

func (b budgeted) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if b.w.left -= int64(n); b.w.left < 0 {
		return n, errUnzipLimit
	}
	return n, err
}

// firstSheetRows opens the workbook in data and reads its first sheet's rows.
func firstSheetRows(data []byte) ([][]string, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, err
	}
	w := &workbookParts{files: make(map[string]*zip.File, len(zr.File)), left: maxUnzipped}
	var declared uint64
	for _, f := range zr.File {
		w.files[strings.TrimPrefix(strings.ReplaceAll(f.Name, `\`, "/"), "/")] = f
		declared += f.UncompressedSize64
	}
	if declared > maxUnzipped {
		return nil, errUnzipLimit
	}
	sheet, err := firstSheetPath(w)
	if err != nil {
		return nil, err
	}
	strs, err := sharedStrings(w)
	if err != nil {
		return nil, err
	}
	rc, ok, err := w.open(sheet)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("the workbook names a sheet at %s that it does not hold", sheet)
	}
	defer rc.Close()
	return sheetRows(rc, strs)
}

// relationship is an entry of a part's relationships (.rels).
type relationship struct {
	ID     string `xml:"Id,attr"`
	Type   string `xml:"Type,attr"`
	Target string `xml:"Target,attr"`
}

// relationships reads the relationships of part (its _rels/NAME.rels), nil when it has none.
func relationships(w *workbookParts, part string) ([]relationship, error) {
	data, ok, err := w.read(path.Join(path.Dir(part), "_rels", path.Base(part)+".rels"))
	if err != nil || !ok {
		return nil, err
	}
	var rels struct {
		Relationship []relationship `xml:"Relationship"`
	}
	if err := xml.Unmarshal(data, &rels); err != nil {
		return nil, fmt.Errorf("relationships of %s: %w", part, err)
	}
	return rels.Relationship, nil
}

// resolve names the part a relationship of from targets: an absolute target from the package's root, else
// from from's folder.
func resolve(from, target string) string {
	if strings.HasPrefix(target, "/") {
		return strings.TrimPrefix(target, "/")
	}
	return path.Join(path.Dir(from), target)
}

// firstSheetPath finds the workbook (the package's office document, xl/workbook.xml by default) and the part of
// its first sheet.
func firstSheetPath(w *workbookParts) (string, error) {
	book := "xl/workbook.xml"
	rels, err := relationships(w, "")
	if err != nil {
		return "", err
	}
	for _, r := range rels {
		if strings.HasSuffix(r.Type, "/officeDocument") {
			book = resolve("", r.Target)
			break
		}
	}
	data, ok, err := w.read(book)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", errors.New("no workbook part")
	}
	var wb struct {
		Sheets []struct {
			Name string     `xml:"name,attr"`
			Attr []xml.Attr `xml:",any,attr"`
		} `xml:"sheets>sheet"`
	}
	if err := xml.Unmarshal(data, &wb); err != nil {
		return "", fmt.Errorf("%s: %w", book, err)
	}
	if len(wb.Sheets) == 0 {
		return "", Problems{{Row: 1, Problem: "the workbook has no sheet"}}
	}
	id := ""
	for _, a := range wb.Sheets[0].Attr {
		if a.Name.Local == "id" && a.Name.Space != "" {
			id = a.Value
		}
	}
	if rels, err = relationships(w, book); err != nil {
		return "", err
	}
	for _, r := range rels {
		if r.ID == id {
			return resolve(book, r.Target), nil
		}
	}
	return "", fmt.Errorf("sheet %s: no part for its relationship %q", wb.Sheets[0].Name, id)
}

// richText is a shared or inline string: a text, or runs of text.
type richText struct {
	T *string `xml:"t"`
	R []struct {
		T *string `xml:"t"`
	} `xml:"r"`
}

// String is the text with its runs joined and its escapes decoded.
func (x richText) String() string {
	var b strings.Builder
	if x.T != nil {
		b.WriteString(*x.T)
	}
	for _, r := range x.R {
		if r.T != nil {
			b.WriteString(*r.T)
		}
	}
	return unescapeOOXML(b.String())
}

// sharedStrings reads the workbook's shared strings (xl/sharedStrings.xml), none when it has no such part.
func sharedStrings(w *workbookParts) ([]string, error) {
	data, ok, err := w.read("xl/sharedStrings.xml")
	if err != nil || !ok {
		return nil, err
	}
	var sst struct {
		SI []richText `xml:"si"`
	}
	if err := xml.Unmarshal(data, &sst); err != nil {
		return nil, fmt.Errorf("shared strings: %w", err)
	}
	out := make([]string, len(sst.SI))
	for i, si := range sst.SI {
		out[i] = si.String()
	}
	return out, nil
}

// unescapeOOXML decodes the escapes _xHHHH_ (ECMA-376 Part 1, 22.9.2.19) of a string: each becomes the
// character of that code, _x005F_ an underscore. (A code that is no character, a surrogate, becomes nothing,
// as excelize reads it.)
func unescapeOOXML(s string) string {
	if !strings.Contains(s, "_x") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if i+7 <= len(s) && s[i] == '_' && s[i+1] == 'x' && s[i+6] == '_' {
			if code, err := strconv.ParseUint(s[i+2:i+6], 16, 16); err == nil {
				if code < 0xd800 || code > 0xdfff {
					b.WriteRune(rune(code))
				}
				i += 7
				continue
			}
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

// cell is a worksheet's c element.
type cell struct {
	R  string    `xml:"r,attr"`
	T  string    `xml:"t,attr"`
	V  string    `xml:"v"`
	F  *struct{} `xml:"f"`
	IS *richText `xml:"is"`
}

// value is the cell's text as stored: a shared string's text, an inline string's, else its value.
func (c *cell) value(strs []string) string {
	switch c.T {
	case "s":
		if c.V == "" {
			return ""
		}
		i, _ := strconv.Atoi(strings.TrimSpace(c.V))
		if i >= 0 && i < len(strs) {
			return strs[i]
		}
		return c.V
	case "inlineStr":
		if c.IS != nil {
			return c.IS.String()
		}
	}
	return c.V
}

// sheetRows reads a worksheet's rows as it is unzipped (its row elements, in order), numbered by their r attribute, else
// one after the row before.
func sheetRows(r io.Reader, strs []string) ([][]string, error) {
	d := xml.NewDecoder(bufio.NewReaderSize(r, 64<<10))
	var rows [][]string
	num, col := 0, 0
	var cur []string
	flush := func() error {
		if len(cur) > 0 {
			if num > maxRows {
				return Problems{{Row: maxRows + 1, Problem: fmt.Sprintf("more than %d rows; split the sheet", maxRows)}}
			}
			for len(rows) < num-1 {
				rows = append(rows, nil)
			}
			rows = append(rows, cur)
		}
		cur = nil
		return nil
	}
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return rows, flush()
		}
		if err != nil {
			return nil, fmt.Errorf("worksheet: %w", err)
		}
		start, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch start.Name.Local {
		case "row":
			if err := flush(); err != nil {
				return nil, err
			}
			next := num + 1
			for _, a := range start.Attr {
				if a.Name.Local == "r" {
					if n, err := strconv.Atoi(a.Value); err == nil && n > 0 {
						next = n
					}
				}
			}
			if next > maxSheetRows {
				return nil, fmt.Errorf("worksheet: row %d past the last row a sheet may have (%d)", next, maxSheetRows)
			}
			if next <= num {
				return nil, fmt.Errorf("worksheet: row %d after row %d", next, num)
			}
			num, col = next, 0
		case "c":
			var c cell
			if err := d.DecodeElement(&c, &start); err != nil {
				return nil, fmt.Errorf("worksheet: row %d: %w", num, err)
			}
			col++
			if c.R != "" {
				if col, err = columnOf(c.R); err != nil {
					return nil, fmt.Errorf("worksheet: row %d: %w", num, err)
				}
			}
			if v := c.value(strs); v != "" || c.F != nil {
				for len(cur) < col-1 {
					cur = append(cur, "")
				}
				cur = append(cur, v)
			}
		}
	}
}

// columnOf is the 1-based column of a cell reference such as B7 or $AB$12.
func columnOf(ref string) (int, error) {
	letters := strings.TrimPrefix(ref, "$")
	digits := strings.TrimLeft(letters, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
	letters = letters[:len(letters)-len(digits)]
	digits = strings.TrimPrefix(digits, "$")
	if letters == "" || digits == "" || strings.Trim(digits, "0123456789") != "" || strings.Trim(digits, "0") == "" {
		return 0, fmt.Errorf("cell %q: not a cell reference", ref)
	}
	col := 0
	for i := range len(letters) {
		col = col*26 + int(letters[i]|0x20-'a'+1)
		if col > maxColumns {
			return 0, fmt.Errorf("cell %q: past the last column a sheet may have (XFD)", ref)
		}
	}
	return col, nil
}
