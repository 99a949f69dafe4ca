package export

import (
	"encoding/csv"
	"fmt"
	"io"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
)

// FlagWriter writes a flag listing as CSV as it is read, without holding it: Flags's records (ConvertedFlags's
// in a reporting currency), the header before the first flag's, and the header alone for a listing of none.
// The bytes are those of the records of the whole listing written at once.
type FlagWriter struct {
	w       *csv.Writer
	rep     *projections.Reporting
	started bool
}

// NewFlagWriter writes flags to w, their money also in rep's currency when rep is not nil.
func NewFlagWriter(w io.Writer, rep *projections.Reporting) *FlagWriter {
	return &FlagWriter{w: csv.NewWriter(w), rep: rep}
}

// records are the records of flags, the header first.
func (fw *FlagWriter) records(flags []domain.Flag) ([][]string, error) {
	if fw.rep != nil {
		return ConvertedFlags(fw.rep.Flags(flags))
	}
	return Flags(flags)
}

// Write writes a flag's records, and the header before the first flag's.
func (fw *FlagWriter) Write(f domain.Flag) error {
	recs, err := fw.records([]domain.Flag{f})
	if err != nil {
		return err
	}
	if fw.started {
		recs = recs[1:]
	}
	fw.started = true
	if err := fw.w.WriteAll(recs); err != nil {
		return fmt.Errorf("write CSV: %w", err)
	}
	return nil
}

// Close writes the header if no flag was written, and flushes what is buffered; it does not close the writer
// underneath.
func (fw *FlagWriter) Close() error {
	if !fw.started {
		fw.started = true
		head, _ := fw.records(nil) // the header alone: cannot fail
		if err := fw.w.Write(head[0]); err != nil {
			return fmt.Errorf("write CSV: %w", err)
		}
	}
	fw.w.Flush()
	if err := fw.w.Error(); err != nil {
		return fmt.Errorf("write CSV: %w", err)
	}
	return nil
}
