package readmodel

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
)

// encodedWorker is a worker's judgement as the model stores it, all of which the clock does not change: its
// contribution, its flags in key order with their keys and JSON, and the JSON of its columns. A rebuild makes
// it on the cores that judge, so that the one goroutine that writes only writes.
type encodedWorker struct {
	j                        projections.Judgement
	c                        contribution
	flags                    []encodedFlag
	clocked                  []clockedFlag
	contribJSON, ledgerJSON  string
	buyersJSON, agenciesJSON string
	tallied                  bool // its sums were added to a tally: the writer writes its rows only
}

// encodeWorker encodes a worker's judgement.
func encodeWorker(j projections.Judgement) (encodedWorker, error) {
	c := workerContribution(j)
	c.Scopes = scopeNames(j.BuyerIDs, j.EmployerID, j.Agencies)
	flags, err := encodeFlags("worker "+j.WorkerID, j.Flags)
	if err != nil {
		return encodedWorker{}, err
	}
	if _, err := c.terms(); err != nil {
		return encodedWorker{}, fmt.Errorf("worker %s: %w", j.WorkerID, err)
	}
	cj, _ := json.Marshal(c) // plain values: cannot fail
	return encodedWorker{j: j, c: c, flags: flags, clocked: clockedOf(j.Flags), contribJSON: string(cj),
		ledgerJSON: encodeLedger(j.Ledger), buyersJSON: jsonList(j.BuyerIDs), agenciesJSON: jsonList(j.Agencies)}, nil
}

// encodedFlag is a flag with its key and its JSON as its row stores it. f points into the owner's flags,
// sorted, which encodeFlags copied.
type encodedFlag struct {
	f   *domain.Flag
	k   []byte
	row flagRow
}

// encodeFlags sorts an owner's flags in listing order and encodes each. Their keys number the flags that agree
// on the rest of the key in that order, which the evidence and then their order in flags decide.
func encodeFlags(owner string, flags []domain.Flag) ([]encodedFlag, error) {
	flags = slices.Clone(flags)
	slices.SortStableFunc(flags, projections.CompareFlags)
	out := make([]encodedFlag, len(flags))
	scratch := flagScratches.Get().(*flagScratch)
	defer flagScratches.Put(scratch)
	var buyers []string // the buyers last encoded, and their JSON: an owner's flags share one list
	var buyersJSON string
	ord := 0
	for i := range flags {
		f := &flags[i]
		if i == 0 || !sameList(f.BuyerIDs, buyers) {
			var err error
			if buyersJSON, err = jsonStrings(f.BuyerIDs); err != nil {
				return nil, fmt.Errorf("encode flag %s of %s: %w", f.Code, owner, err)
			}
			buyers = f.BuyerIDs
		}
		body, err := projections.AppendFlagJSON(scratch.body[:0], *f)
		if err != nil {
			return nil, fmt.Errorf("encode flag %s of %s: %w", f.Code, owner, err)
		}
		scratch.body = body
		row, err := splitFlagOf(f, body, buyersJSON, scratch.rules)
		if err != nil {
			return nil, fmt.Errorf("encode flag %s of %s: %w", f.Code, owner, err)
		}
		if i > 0 && sameKeyHead(&flags[i-1], f) {
			ord++
		} else {
			ord = 0
		}
		out[i] = encodedFlag{f: f, k: FlagKey(*f, ord), row: row}
	}
	return out, nil
}

// flagScratch is what encodeFlags reuses from one worker to the next on a judging goroutine: the buffer a
// flag's JSON is written into, and the rules arrays met (a few hundred distinct ones among a store's flags).
type flagScratch struct {
	body  []byte
	rules map[string]string
}

// flagScratches are the judging goroutines' flagScratch.
var flagScratches = sync.Pool{New: func() any {
	return &flagScratch{body: make([]byte, 0, 1024), rules: map[string]string{}}
}}

// sameList reports whether two lists are one: the same elements of the same array, or both nil, or both
// empty and not nil (nil encodes as null, an empty list as []).
func sameList(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	if len(a) == 0 {
		return (a == nil) == (b == nil)
	}
	return &a[0] == &b[0]
}

// EncodeFlag is a flag's JSON as the command line and the API print it (no HTML escaping), compact.
func EncodeFlag(f domain.Flag) (string, error) {
	scratch := flagScratches.Get().(*flagScratch)
	defer flagScratches.Put(scratch)
	b, err := projections.AppendFlagJSON(scratch.body[:0], f)
	if err != nil {
		return "", err
	}
	scratch.body = b
	return string(b), nil
}

// codeRank is a flag code's place in the alphabetical order of the codes, which orders listings.
var codeRank = func() map[string]byte {
	codes := slices.Sorted(slices.Values(domain.FlagCodes))
	rank := make(map[string]byte, len(codes))
	for i, c := range codes {
		rank[c] = byte(i)
	}
	return rank
}()

// FlagKey is a flag's place in the listing order (projections.CompareFlags): raised_at, code, worker and job
// order, then ord, the flag's place in that order among its owner's flags that agree on the rest of the key,
// which stands for the evidence (flags that agree on the rest belong to one owner). Byte order of keys is the
// listing order. A worker's flag leaves its job order out: among one worker's flags, ord already orders them by
// job order, and the key, in every index of flags, is shorter by it. A flag added to its owner's leaves the
// keys of the others as they were, unless it comes before them among those it agrees with: a catch-up writes
// again only the flags whose key or row changed (dropStale).
func FlagKey(f domain.Flag, ord int) []byte {
	jobOrder := f.JobOrderID
	if f.WorkerID != "" {
		jobOrder = ""
	}
	k := make([]byte, 0, 32+len(f.WorkerID)+len(jobOrder))
	k = binary.BigEndian.AppendUint64(k, uint64(f.RaisedAt.Unix())^(1<<63))
	k = binary.BigEndian.AppendUint32(k, uint32(f.RaisedAt.Nanosecond()))
	k = append(k, codeRank[f.Code])
	k = append(append(k, f.WorkerID...), 0)
	k = append(append(k, jobOrder...), 0)
	return binary.BigEndian.AppendUint32(k, uint32(ord))
}

// sameKeyHead reports whether two flags of one owner agree on their keys but for ord (FlagKey).
func sameKeyHead(a, b *domain.Flag) bool {
	return a.RaisedAt.Equal(b.RaisedAt) && a.Code == b.Code && a.WorkerID == b.WorkerID &&
		(a.WorkerID != "" || a.JobOrderID == b.JobOrderID)
}

// scopeNames are the flag scopes of an owner's parties.
func scopeNames(buyers []string, employer string, agencies []string) []string {
	var out []string
	for _, b := range buyers {
		out = append(out, "buyer:"+b)
	}
	if employer != "" {
		out = append(out, "employer:"+employer)
	}
	for _, a := range agencies {
		out = append(out, "agency:"+a)
	}
	return out
}

// jsonList is a list of strings' JSON as encoding/json writes it (HTML escaped), "[]" for nil: written
// directly when no string needs escaping.
func jsonList(s []string) string {
	n := 2
	for _, e := range s {
		if !plainJSON(e) || strings.ContainsAny(e, "<>&") {
			b, _ := json.Marshal(orEmpty(s)) // strings: cannot fail
			return string(b)
		}
		n += len(e) + 3
	}
	b := make([]byte, 0, n)
	b = append(b, '[')
	for i, e := range s {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(append(append(b, '"'), e...), '"')
	}
	return string(append(b, ']'))
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
