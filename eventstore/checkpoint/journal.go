package checkpoint

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// maxCosignatures bounds the cosignatures kept for one checkpoint.
const maxCosignatures = 32

// Entry is one signed checkpoint as kept, with the witnesses' cosignature lines received for it.
type Entry struct {
	SignedAt time.Time `json:"signed_at"`
	Size     int64     `json:"size"`
	Root     tlog.Hash `json:"root"`
	// Note is the signed note as the operator signed it.
	Note         string   `json:"note"`
	Cosignatures []string `json:"-"`
}

// Signed is the note with the cosignature lines after the operator's signature.
func (e Entry) Signed() []byte {
	var b strings.Builder
	b.WriteString(e.Note)
	for _, c := range e.Cosignatures {
		b.WriteString(c)
	}
	return []byte(b.String())
}

// record is one line of the journal: a checkpoint or a cosignature of one.
type record struct {
	Checkpoint  *Entry       `json:"checkpoint,omitempty"`
	Cosignature *cosignature `json:"cosignature,omitempty"`
}

type cosignature struct {
	Size int64     `json:"size"`
	Root tlog.Hash `json:"root"`
	Line string    `json:"line"`
}

// Journal is the append-only file of every checkpoint signed and every cosignature received, one JSON object
// per line. Other processes may append to the same file; reads pick up their lines.
type Journal struct {
	path    string
	mu      sync.Mutex
	offset  int64
	entries []Entry
	bySize  map[int64]int
}

// OpenJournal opens (creating it on first append) the journal at path; "" keeps it in memory.
func OpenJournal(path string) (*Journal, error) {
	j := &Journal{path: path, bySize: make(map[int64]int)}
	j.mu.Lock()
	defer j.mu.Unlock()
	if err := j.refresh(); err != nil {
		return nil, err
	}
	return j, nil
}

// refresh reads lines appended since the last read. The caller holds j.mu.
func (j *Journal) refresh() error {
	if j.path == "" {
		return nil
	}
	f, err := os.Open(j.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("checkpoint journal: %w", err)
	}
	defer f.Close()
	if _, err := f.Seek(j.offset, io.SeekStart); err != nil {
		return fmt.Errorf("checkpoint journal: %w", err)
	}
	r := bufio.NewReader(f)
	for {
		line, err := r.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			return nil // a line without its newline is still being written
		}
		if err != nil {
			return fmt.Errorf("checkpoint journal: %w", err)
		}
		j.offset += int64(len(line))
		var rec record
		if err := json.Unmarshal(bytes.TrimSpace(line), &rec); err != nil {
			return fmt.Errorf("checkpoint journal %s at byte %d: %w", j.path, j.offset-int64(len(line)), err)
		}
		j.apply(rec)
	}
}

func (j *Journal) apply(rec record) {
	switch {
	case rec.Checkpoint != nil:
		if _, ok := j.bySize[rec.Checkpoint.Size]; !ok {
			j.bySize[rec.Checkpoint.Size] = len(j.entries)
			j.entries = append(j.entries, *rec.Checkpoint)
		}
	case rec.Cosignature != nil:
		i, ok := j.bySize[rec.Cosignature.Size]
		if ok && j.entries[i].Root == rec.Cosignature.Root && len(j.entries[i].Cosignatures) < maxCosignatures {
			j.entries[i].Cosignatures = append(j.entries[i].Cosignatures, rec.Cosignature.Line)
		}
	}
}

func (j *Journal) write(rec record) error {
	if j.path != "" {
		line, err := json.Marshal(rec)
		if err != nil {
			return fmt.Errorf("checkpoint journal: %w", err)
		}
		f, err := os.OpenFile(j.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
		if err != nil {
			return fmt.Errorf("checkpoint journal: %w", err)
		}
		_, err = f.Write(append(line, '\n'))
		if err = errors.Join(err, f.Sync(), f.Close()); err != nil {
			return fmt.Errorf("checkpoint journal: %w", err)
		}
		j.offset += int64(len(line) + 1)
	}
	j.apply(rec)
	return nil
}

// Add keeps a signed checkpoint, unless one of the same size is kept already (then false).
func (j *Journal) Add(c Checkpoint, signed []byte, at time.Time) (bool, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if err := j.refresh(); err != nil {
		return false, err
	}
	if _, ok := j.bySize[c.Size]; ok {
		return false, nil
	}
	return true, j.write(record{Checkpoint: &Entry{SignedAt: at.UTC(), Size: c.Size, Root: c.Root, Note: string(signed)}})
}

// AddCosignature keeps a witness's signature line for the checkpoint kept at that size and root.
func (j *Journal) AddCosignature(c Checkpoint, line string) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if err := j.refresh(); err != nil {
		return err
	}
	i, ok := j.bySize[c.Size]
	if !ok || j.entries[i].Root != c.Root {
		return fmt.Errorf("cosignature for tree size %d: no such checkpoint was signed: %w", c.Size, ErrSignature)
	}
	for _, have := range j.entries[i].Cosignatures {
		if have == line {
			return nil
		}
	}
	if len(j.entries[i].Cosignatures) >= maxCosignatures {
		return fmt.Errorf("cosignature for tree size %d: already %d kept", c.Size, maxCosignatures)
	}
	return j.write(record{Cosignature: &cosignature{Size: c.Size, Root: c.Root, Line: line}})
}

// Latest is the checkpoint of the largest tree kept.
func (j *Journal) Latest() (Entry, bool, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if err := j.refresh(); err != nil || len(j.entries) == 0 {
		return Entry{}, false, err
	}
	best := j.entries[0]
	for _, e := range j.entries[1:] {
		if e.Size > best.Size {
			best = e
		}
	}
	return best, true, nil
}

// Since lists the checkpoints kept of trees larger than size, oldest first, at most limit of them.
func (j *Journal) Since(size int64, limit int) ([]Entry, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if err := j.refresh(); err != nil {
		return nil, err
	}
	var out []Entry
	for _, e := range j.entries {
		if e.Size > size && len(out) < limit {
			out = append(out, e)
		}
	}
	return out, nil
}

// Checkpoints lists the checkpoints kept whose signature verifies under the operator's key, oldest first.
func (j *Journal) Checkpoints(operator note.Verifier) ([]Checkpoint, error) {
	es, err := j.Since(-1, int(^uint(0)>>1))
	if err != nil {
		return nil, err
	}
	var out []Checkpoint
	for _, e := range es {
		if c, _, err := Open([]byte(e.Note), operator); err == nil {
			out = append(out, c)
		}
	}
	return out, nil
}
