package api

import (
	"errors"
	"net/url"
	"slices"
	"testing"

	"github.com/fairtrail/fairtrail/api/keys"
	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
)

// FuzzAgencyQuery: whatever the query string of GET /v1/agencies holds, agencyQuery answers a query its own
// checks accept, scoped to the caller, or a refusal naming a field; it never panics.
func FuzzAgencyQuery(f *testing.F) {
	f.Add("buyer-a", "USD", "10", "risk", "2025-06-30", "", "buyer")
	f.Add("", "usd", "-1", "worst", "x", "2025-02-30", "admin")
	f.Add("bad id!", "", "99999999999999999999", "", "", "", "employer")
	f.Fuzz(func(t *testing.T, buyer, currency, minWorkers, sort, asOf, knownAt, role string) {
		q := url.Values{}
		for k, v := range map[string]string{"buyer": buyer, "currency": currency, "min_workers": minWorkers,
			"sort": sort, "as_of": asOf, "known_at": knownAt} {
			if v != "" {
				q.Set(k, v)
			}
		}
		who := keys.Identity{Org: "org-1", Role: role, Buyers: []string{"buyer-a"}}
		aq, _, err := agencyQuery(q, who)
		if err != nil {
			var p *problem
			if !errors.As(err, &p) {
				t.Fatalf("not a problem for the client: %v", err)
			}
			return
		}
		if fields := aq.Check("sort", "currency", "min_workers"); len(fields) > 0 {
			t.Fatalf("accepted %+v with %v", aq, fields)
		}
		switch role {
		case keys.RoleBuyer, keys.RoleAuditor:
			if aq.BuyerID != "buyer-a" {
				t.Fatalf("a buyer's query scoped to %q", aq.BuyerID)
			}
		case keys.RoleEmployer:
			if aq.EmployerID != "org-1" {
				t.Fatalf("an employer's query scoped to %q", aq.EmployerID)
			}
		case keys.RoleAgency:
			if aq.AgencyID != "org-1" {
				t.Fatalf("an agency's query scoped to %q", aq.AgencyID)
			}
		case keys.RoleAdmin:
		default:
			t.Fatalf("role %q accepted", role)
		}
	})
}

func TestAgencyQueryDefaults(t *testing.T) {
	t.Parallel()
	aq, _, err := agencyQuery(url.Values{}, keys.Identity{Org: "ops", Role: keys.RoleAdmin})
	if err != nil {
		t.Fatal(err)
	}
	if aq.MinWorkers != projections.DefaultMinWorkers || aq.Sort != "" || aq.BuyerID != "" {
		t.Errorf("defaults %+v", aq)
	}
	_, _, err = agencyQuery(url.Values{"min_workers": {"ten"}, "sort": {"worst"}}, keys.Identity{Role: keys.RoleAdmin})
	var p *problem
	if !errors.As(err, &p) || !errors.Is(err, domain.ErrInvalid) {
		t.Fatalf("error %v, want a refused query", err)
	}
	var paths []string
	for _, f := range p.fields {
		paths = append(paths, f.Path)
	}
	if !slices.Equal(paths, []string{"sort", "min_workers"}) {
		t.Errorf("fields %v, want sort and min_workers", paths)
	}
}
