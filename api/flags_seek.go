package api

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"

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
	convert := func(f string) (string, error) { return f, nil }
	if cur != "" {
		rep, err := s.cfg.Model.Reporting(ctx, cur, projections.Filter{}, l.clock)
		if err != nil {
			return nil, err
		}
		convert = func(f string) (string, error) { return fquery.ConvertFlag(f, rep) }
	}
	var after []byte
	if l.after != nil && json.Unmarshal(l.after, &after) != nil {
		return nil, invalidField("page_token", "not a page token of this listing (tokens continue the query they came from)")
	}
	var flags []string
	var last []byte
	if !empty {
		err := s.cfg.Model.Flags(ctx, fq, l.clock, readmodel.FlagSeek{After: after, Limit: l.size + 1, Access: acc},
			func(k []byte, f string) error {
				if len(flags) < l.size {
					conv, err := convert(f)
					if err != nil {
						return err
					}
					flags, last = append(flags, conv), slices.Clone(k)
				} else {
					flags = append(flags, "")
				}
				return nil
			})
		if err != nil {
			return nil, err
		}
	}
	var out bytes.Buffer
	size := 1024 // the page's punctuation and its next page's token, at most about
	for _, f := range flags {
		size += len(f) + 1
	}
	out.Grow(size) // once: a page of 1,000 flags is about 600 KB, which growing by doubling cleared and copied over again
	out.WriteString(`{"flags":[`)
	for i, f := range flags[:min(len(flags), l.size)] {
		if i > 0 {
			out.WriteByte(',')
		}
		out.WriteString(f)
	}
	out.WriteString("]")
	if len(flags) > l.size {
		cursor, _ := json.Marshal(last) // bytes: cannot fail
		tok := s.pages.encode(pageToken{Kind: l.kind, Query: l.query, Clock: l.clock.UnixNano(), After: cursor})
		out.WriteString(`,"next_page_token":`)
		t, _ := json.Marshal(tok)
		out.Write(t)
	}
	out.WriteString("}\n")
	return out.Bytes(), nil
}
