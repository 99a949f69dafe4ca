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

// scoped narrows a flag query to what the caller may read, when one scope of the flag index says exactly
// that: everything for admin keys, a buyer's (or an auditor's only buyer's) job orders, an employer's. ok is
// false when no scope says it (agencies also read their own recruits; auditors of several buyers), and empty
// when the query asks for another party than the caller's own.
func scoped(who keys.Identity, fq projections.FlagQuery) (q projections.FlagQuery, empty, ok bool) {
	switch {
	case who.Role == keys.RoleAdmin:
		return fq, false, true
	case (who.Role == keys.RoleBuyer || keys.Granted(who.Role)) && len(who.Buyers) == 1:
		b := who.Buyers[0]
		empty = fq.BuyerID != "" && fq.BuyerID != b
		fq.BuyerID = b
		return fq, empty, true
	case who.Role == keys.RoleEmployer:
		empty = fq.EmployerID != "" && fq.EmployerID != who.Org
		fq.EmployerID = who.Org
		return fq, empty, true
	}
	return fq, false, false
}

// seekFlags answers a page of GET /v1/flags from the persisted flag index: the caller's scope is part of the
// query, and the page is found by seeking to the token's key, so it costs the same wherever it is. With a
// reporting currency cur, each flag's money is converted as the page is written.
func (s *Server) seekFlags(ctx context.Context, l listing, fq projections.FlagQuery, empty bool, cur string) ([]byte, error) {
	if _, err := s.cfg.Model.CatchUp(ctx, s.cfg.Store); err != nil {
		return nil, err
	}
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
		err := s.cfg.Model.Flags(ctx, fq, l.clock, readmodel.FlagSeek{After: after, Limit: l.size + 1},
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
