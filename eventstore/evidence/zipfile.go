package evidence

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"slices"
	"time"
)

// zipTime is every entry's modification time: a bundle's bytes depend on its contents only.
var zipTime = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// maxFile bounds what is read of one entry of a bundle.
const maxFile = 256 << 20

// writeZip writes files in the canonical form: names sorted, stored uncompressed, fixed times, no extras.
func writeZip(w io.Writer, files map[string][]byte) error {
	zw := zip.NewWriter(w)
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store, Modified: zipTime})
		if err != nil {
			return fmt.Errorf("evidence: zip: %w", err)
		}
		if _, err := fw.Write(files[name]); err != nil {
			return fmt.Errorf("evidence: zip: %w", err)
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("evidence: zip: %w", err)
	}
	return nil
}

// readZip reads every entry of a bundle.
func readZip(b []byte) (map[string][]byte, error) {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, err
	}
	files := make(map[string][]byte, len(zr.File))
	for _, f := range zr.File {
		if _, dup := files[f.Name]; dup {
			return nil, fmt.Errorf("%s appears twice", f.Name)
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Name, err)
		}
		data, err := io.ReadAll(io.LimitReader(rc, maxFile+1))
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Name, err)
		}
		if len(data) > maxFile {
			return nil, fmt.Errorf("%s is over %d bytes", f.Name, maxFile)
		}
		files[f.Name] = data
	}
	return files, nil
}

// Files reads a bundle's files without checking them.
func Files(bundle []byte) (map[string][]byte, error) { return readZip(bundle) }
