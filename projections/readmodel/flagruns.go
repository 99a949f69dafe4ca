package readmodel

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
)

// A listing of every worker's flags under a time filter is judged a shard at a time (see replayShards). Each
// shard's flags, sorted in the listing's order, are written as a run to one file in the replay's spill
// directory (in memory for a store that fits in a shard), one run after the other; the runs are then merged
// (see mergeRuns). A listing holds one shard's flags and one flag per run, never the whole listing.
//
// A flag in a run is its sort key (raised_at, code, worker, job order, evidence) and its JSON without the
// part the key and its buyers already say: the JSON's head (EncodeFlag's, up to raised_at) is written again
// from them as the flag is listed, byte for byte (see appendHead). A flag whose JSON does not begin so (a
// raised_at not in UTC, say) keeps its whole JSON.

// ListedFlag is a flag of a listing under a time filter as the listing yields it: its place in the listing
// order and its JSON.
type ListedFlag struct {
	// Key holds the fields of the flag's place in the listing order (projections.CompareFlags): RaisedAt,
	// Code, WorkerID, JobOrderID and EventIDs. Its other fields are empty.
	Key domain.Flag
	// buyers is the JSON of the flag's buyers, "" when rest is its whole JSON.
	buyers string
	// rest is the flag's JSON after its raised_at, or its whole JSON.
	rest string
}

// JSON is the flag's JSON as `fairtrail flags --format json` prints it (EncodeFlag's, compact).
func (f ListedFlag) JSON() string {
	if f.buyers == "" {
		return f.rest
	}
	k := f.Key
	events, _ := jsonStrings(k.EventIDs) // strings: cannot fail
	at := k.RaisedAt.UTC()
	b := make([]byte, 0, headSize(k.Code, k.WorkerID, k.JobOrderID, f.buyers, events)+len(f.rest))
	b = appendHead(b, k.Code, k.WorkerID, k.JobOrderID, f.buyers, events, at.Unix(), at.Nanosecond())
	return string(append(b, f.rest...))
}

// compareListed is the listing order of listed flags.
func compareListed(a, b ListedFlag) int { return projections.CompareFlags(a.Key, b.Key) }

// listed is a flag as a listing yields it.
func listed(f domain.Flag) (ListedFlag, error) {
	body, err := EncodeFlag(f)
	if err != nil {
		return ListedFlag{}, fmt.Errorf("encode flag %s of %q: %w", f.Code, f.WorkerID+f.JobOrderID, err)
	}
	key := domain.Flag{RaisedAt: f.RaisedAt, Code: f.Code, WorkerID: f.WorkerID, JobOrderID: f.JobOrderID, EventIDs: f.EventIDs}
	buyers, err := jsonStrings(f.BuyerIDs)
	if err != nil {
		return ListedFlag{}, fmt.Errorf("encode the buyers of flag %s: %w", f.Code, err)
	}
	events, err := jsonStrings(f.EventIDs)
	if err != nil {
		return ListedFlag{}, fmt.Errorf("encode the evidence of flag %s: %w", f.Code, err)
	}
	at := f.RaisedAt.UTC()
	head := flagHead(f.Code, f.WorkerID, f.JobOrderID, buyers, events, at.Unix(), at.Nanosecond())
	if rest, ok := strings.CutPrefix(body, head); ok {
		return ListedFlag{Key: key, buyers: buyers, rest: rest}, nil
	}
	return ListedFlag{Key: key, rest: body}, nil
}

// flagRuns are the sorted runs of flags of one or more listings, written one after the other to one file.
type flagRuns struct {
	file spillBucket // *os.File, or *memBucket for runs held in memory
	w    *bufio.Writer
	size int64       // bytes written
	runs [][]flagRun // by listing, in the order written
	buf  []byte
}

// flagRun is where a run lies in the file.
type flagRun struct {
	off, size int64
}

// runsFile is the name of the file of a listing's runs in the spill directory.
const runsFile = "flag-runs"

// newFlagRuns creates the runs of listings listings in a file in dir, or in memory when dir is "". The caller
// closes them; the file lives as long as the directory.
func newFlagRuns(dir string, listings int) (*flagRuns, error) {
	r := &flagRuns{runs: make([][]flagRun, listings)}
	if dir == "" {
		r.file = &memBucket{}
		r.w = bufio.NewWriterSize(r.file, 4<<10)
		return r, nil
	}
	f, err := os.Create(filepath.Join(dir, runsFile))
	if err != nil {
		return nil, fmt.Errorf("create the flag runs: %w", err)
	}
	r.file, r.w = f, bufio.NewWriterSize(f, 256<<10)
	return r, nil
}

// add sorts flags in listing order (stably: flags with the same key stay in the order given) and writes
// them as a run of listing.
func (r *flagRuns) add(listing int, flags []domain.Flag) error {
	if len(flags) == 0 {
		return nil
	}
	if !slices.IsSortedFunc(flags, projections.CompareFlags) { // a view's listing is, already
		slices.SortStableFunc(flags, projections.CompareFlags)
	}
	run := flagRun{off: r.size}
	for _, f := range flags {
		lf, err := listed(f)
		if err != nil {
			return err
		}
		r.buf = appendListed(r.buf[:0], lf)
		if _, err := r.w.Write(r.buf); err != nil {
			return fmt.Errorf("write a flag run: %w", err)
		}
		r.size += int64(len(r.buf))
	}
	run.size = r.size - run.off
	r.runs[listing] = append(r.runs[listing], run)
	return nil
}

// finish writes out what is buffered: the runs can be read from then on.
func (r *flagRuns) finish() error {
	if err := r.w.Flush(); err != nil {
		return fmt.Errorf("write the flag runs: %w", err)
	}
	return nil
}

// close closes the file (lets go of the runs in memory); the spill's removal deletes it.
func (r *flagRuns) close() {
	if c, ok := r.file.(io.Closer); ok {
		c.Close()
	}
	r.file = nil
}

// appendListed appends a listed flag's form in a run to b: its length, its key (its evidence told nil from
// empty, which their JSON does), then its buyers ("" when the head was not cut) and the rest of its JSON.
func appendListed(b []byte, f ListedFlag) []byte {
	start := len(b)
	b = append(b, 0, 0, 0, 0) // the length, filled in below
	k := f.Key
	b = appendTime(b, k.RaisedAt)
	for _, s := range []string{k.Code, k.WorkerID, k.JobOrderID} {
		b = appendString(b, s)
	}
	events := uint64(0) // nil evidence; else how many ids, plus one
	if k.EventIDs != nil {
		events = uint64(len(k.EventIDs)) + 1
	}
	b = binary.AppendUvarint(b, events)
	for _, id := range k.EventIDs {
		b = appendString(b, id)
	}
	b = appendString(b, f.buyers)
	b = append(b, f.rest...)
	binary.LittleEndian.PutUint32(b[start:], uint32(len(b)-start-4))
	return b
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// readListed reads the next flag of a run from r (io.EOF at its end).
func readListed(r *bufio.Reader) (ListedFlag, error) {
	b, err := readRecord(r)
	if err != nil {
		return ListedFlag{}, err
	}
	return parseListed(b)
}

// parseListed reads a listed flag from its form in a run (without the length).
func parseListed(b []byte) (ListedFlag, error) {
	d := spillDecoder{b: b}
	var f ListedFlag
	k := &f.Key
	k.RaisedAt = d.time()
	k.Code, k.WorkerID, k.JobOrderID = d.string(), d.string(), d.string()
	n := d.uvarint()            // 0 for nil evidence, else how many ids plus one
	if n > uint64(len(d.b))+1 { // each id takes a byte at least
		return ListedFlag{}, errSpillRecord
	}
	if n > 0 {
		k.EventIDs = make([]string, n-1)
	}
	for i := range k.EventIDs {
		k.EventIDs[i] = d.string()
	}
	f.buyers = d.string()
	f.rest = string(d.b)
	if d.bad {
		return ListedFlag{}, errSpillRecord
	}
	return f, nil
}
