package api

import (
	"context"
	"encoding/json"
	"sync"

	"github.com/fairtrail/fairtrail/api/keys"
	"github.com/fairtrail/fairtrail/projections"
	fquery "github.com/fairtrail/fairtrail/projections/query"
	"github.com/fairtrail/fairtrail/projections/readmodel"
)

// seekKind is the kind of the page tokens of a listing read from the flag index: a token carries the index key
// of the last flag returned.
const seekKind = "flags.seek"

// scoped narrows a flag query to what the caller may read, as the flag index's scopes say it (see access):
// everything for admin keys; a buyer's (or an auditor's or worker organisation's) buyers' job orders; an
// employer's; the job orders an agency is engaged on and the workers it recruited. empty is set when the
// query asks for another employer than the caller's own; ok is false for a role that reads no flags.
func scoped(who keys.Identity, fq projections.FlagQuery) (q projections.FlagQuery, acc readmodel.Access, empty, ok bool) {
	switch who.Role {
	case keys.RoleAdmin:
		return fq, acc, false, true
	case keys.RoleBuyer, keys.RoleAuditor, keys.RoleWorkerOrganisation:
		switch {
		case fq.BuyerID != "": // one of the caller's own (checkNamed answers 404 for another)
		case len(who.Buyers) == 1:
			fq.BuyerID = who.Buyers[0]
		default:
			for _, b := range who.Buyers {
				acc.Scopes = append(acc.Scopes, "buyer:"+b)
			}
			return fq, acc, len(who.Buyers) == 0, true
		}
		return fq, acc, false, true
	case keys.RoleEmployer:
		empty = fq.EmployerID != "" && fq.EmployerID != who.Org
		fq.EmployerID = who.Org
		return fq, acc, empty, true
	case keys.RoleAgency:
		return fq, readmodel.Access{Scopes: []string{"agency:" + who.Org}, Engaged: who.Org}, false, true
	}
	return fq, acc, false, false
}

// seekFlags answers a page of GET /v1/flags from the persisted flag index: the caller's scope is part of the
// query, and the page is found by seeking to the token's key, so it costs the same wherever it is. With a
// reporting currency cur, each flag's money is converted as the page is written. The model must be caught up
// (getFlags's checkNamed does it).
func (s *Server) seekFlags(ctx context.Context, l listing, fq projections.FlagQuery, acc readmodel.Access, empty bool,
	cur string) ([]byte, error) {
	// appendFlag appends a flag's JSON to the page: as its row holds it, or converted.
	appendFlag := func(dst []byte, f *readmodel.IndexedFlag) ([]byte, error) { return f.AppendJSON(dst), nil }
	if cur != "" {
		rep, err := s.cfg.Model.Reporting(ctx, cur, projections.Filter{}, l.clock)
		if err != nil {
			return nil, err
		}
		appendFlag = func(dst []byte, f *readmodel.IndexedFlag) ([]byte, error) {
			conv, err := fquery.ConvertFlag(f.JSON(), rep)
			return append(dst, conv...), err
		}
	}
	var after []byte
	if l.after != nil && json.Unmarshal(l.after, &after) != nil {
		return nil, invalidField("page_token", "not a page token of this listing (tokens continue the query they came from)")
	}
	held := seekPages.Get().(*seekPage)
	defer seekPages.Put(held)
	flags := held.flags[:0] // the page's, each as its row holds it; one more when there is a next page
	defer func() { clear(flags); held.flags = flags[:0] }()
	if !empty {
		err := s.cfg.Model.ListFlags(ctx, fq, l.clock, readmodel.FlagSeek{After: after, Limit: l.size + 1, Access: acc},
			func(f *readmodel.IndexedFlag) error {
				flags = append(flags, *f) // its strings are the listing's own: never reused
				return nil
			})
		if err != nil {
			return nil, err
		}
	}
	more := len(flags) > l.size
	page := flags[:min(len(flags), l.size)]
	size := 1024 // the page's punctuation and its next page's token, at most about
	for i := range page {
		size += page[i].Size() + 1
	}
	// Sized once (a page of 1,000 flags is about 600 KB, which growing by doubling cleared and copied over
	// again), in a buffer of an earlier page's when one is free: the caller hands it back (putSeekPage) once
	// the answer is written.
	out := (*seekPagePool.Get().(*[]byte))[:0]
	if cap(out) < size {
		out = make([]byte, 0, size)
	}
	out = append(out, `{"flags":[`...)
	for i := range page {
		if i > 0 {
			out = append(out, ',')
		}
		var err error
		if out, err = appendFlag(out, &page[i]); err != nil {
			return nil, err
		}
	}
	out = append(out, ']')
	if more && len(page) > 0 {
		last := page[len(page)-1].Key
		cursor, _ := json.Marshal(last) // bytes: cannot fail
		t, _ := json.Marshal(s.nextPage(l, cursor, 0))
		out = append(append(out, `,"next_page_token":`...), t...)
	}
	return append(out, "}\n"...), nil
}

// seekPage holds the flags a page read, for the next page to read into: a page of 1,000 grew its slice by
// doubling to some 370 KB, and its answer is about 600 KB, which the collector then cleared away.
type seekPage struct{ flags []readmodel.IndexedFlag }

// seekPages are the seekPages of pages not being read, and seekPagePool the buffers of answers already written
// (putSeekPage). Answers larger than maxPooledPage are not kept.
var (
	seekPages    = sync.Pool{New: func() any { return new(seekPage) }}
	seekPagePool = sync.Pool{New: func() any { return new([]byte) }}
)

// maxPooledPage is the largest answer buffer kept for another page: a page of 1,000 flags with long details.
const maxPooledPage = 4 << 20

// putSeekPage hands back the buffer of a page seekFlags answered, once it is written.
func putSeekPage(b []byte) {
	if cap(b) > maxPooledPage {
		return
	}
	seekPagePool.Put(&b)
}
