package domain_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/fairtrail/fairtrail/domain"
)

// update rewrites the golden files: go test ./domain -run Golden -update
var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// goldenPath is the golden file of an event type's canonical data: exactly the bytes of EncodeData, with no
// trailing newline.
func goldenPath(typ string) string { return filepath.Join("testdata", "golden", typ+".json") }

// golden compares got with the golden file at path, rewriting the file first under -update.
func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run with -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("canonical bytes differ from %s\n got: %s\nwant: %s", path, got, want)
	}
}

func TestGoldenCanonicalData(t *testing.T) {
	for _, ex := range examples {
		t.Run(ex.typ, func(t *testing.T) {
			env := mustDecode(t, ex.envelope)
			if env.Type != ex.typ || env.Event.EventType() != ex.typ {
				t.Errorf("decoded type %q, event type %q, want %q", env.Type, env.Event.EventType(), ex.typ)
			}
			golden(t, goldenPath(ex.typ), mustEncode(t, env.Event))
		})
	}
}

// TestGoldenCanonicalFeePaid pins the bytes that the tamper-evidence hash covers and the hash itself (the
// event as the first of its stream), so any change to the hash definition breaks the chains already stored.
func TestGoldenCanonicalFeePaid(t *testing.T) {
	env := mustDecode(t, exampleOf(domain.TypeFeePaid))
	canonical := domain.CanonicalBytes(env.Type, env.OccurredAt, mustEncode(t, env.Event), env.EventID)
	hash := domain.ChainHash("", canonical)
	golden(t, filepath.Join("testdata", "golden", "canonical_FeePaid.txt"), []byte(string(canonical)+"\n"+hash+"\n"))
}

func TestGoldenKeysSortedWithoutWhiteSpace(t *testing.T) {
	for _, typ := range domain.Types {
		t.Run(typ, func(t *testing.T) {
			want := readGolden(t, typ)
			if got := sortedCompact(t, want); !bytes.Equal(got, want) {
				t.Errorf("golden data is not sorted and compact\n  golden: %s\nresorted: %s", want, got)
			}
		})
	}
}

func TestGoldenIsAFixedPointOfDecodeAndEncode(t *testing.T) {
	for _, typ := range domain.Types {
		t.Run(typ, func(t *testing.T) {
			want := readGolden(t, typ)
			ev, err := domain.DecodeData(typ, want)
			if err != nil {
				t.Fatalf("DecodeData(golden): %v", err)
			}
			if got := mustEncode(t, ev); !bytes.Equal(got, want) {
				t.Errorf("re-encoded golden differs\n got: %s\nwant: %s", got, want)
			}
		})
	}
}

// TestGoldenFieldNamesMatchSpec checks every key of the canonical data, at every level, against the field names
// of the spec's catalogue (section 2): the examples set every optional field, so nothing may be missing or extra.
func TestGoldenFieldNamesMatchSpec(t *testing.T) {
	money := func(field string) []string { return []string{field, field + ".amount", field + ".currency"} }
	termsKeys := []string{"terms", "terms.position", "terms.employer_id",
		"terms.worksite", "terms.worksite.country", "terms.worksite.city",
		"terms.wage", "terms.wage.amount", "terms.wage.currency", "terms.wage.per",
		"terms.hours_per_week", "terms.rest_days_per_week", "terms.duration_months",
		"terms.deductions", "terms.deductions[].kind", "terms.deductions[].amount", "terms.deductions[].currency",
		"terms.deductions[].per", "terms.benefits"}
	join := func(parts ...[]string) []string { return slices.Concat(parts...) }
	spec := map[string][]string{
		domain.TypeOrganisationRegistered: {"org_id", "name", "role", "country",
			"licence", "licence.authority", "licence.number", "licence.valid_until"},
		domain.TypePolicyAdopted: {"policy_id", "name", "scope", "scope.buyer_id", "scope.origin", "scope.destination",
			"effective_from", "effective_to", "rules", "rules[].category", "rules[].max", "rules[].max.amount",
			"rules[].max.currency", "repayment_days", "authority"},
		domain.TypePolicyRetired:       {"policy_id", "effective_to"},
		domain.TypeJobOrderIssued:      join([]string{"job_order_id", "employer_id", "buyer_ids", "headcount", "origin_countries"}, termsKeys),
		domain.TypeJobOrderAmended:     join([]string{"job_order_id", "reason"}, termsKeys),
		domain.TypeAgencyEngaged:       {"job_order_id", "agency_id", "role", "engaged_by"},
		domain.TypeJobOrderPaymentMade: join([]string{"job_order_id", "payer_id", "payee_id", "label"}, money("amount")),
		domain.TypeJobOrderClosed:      {"job_order_id", "reason"},
		domain.TypeWorkerRecruited:     {"worker_id", "job_order_id", "origin_country", "recruited_by", "languages"},
		domain.TypeFeePaid: join([]string{"worker_id", "fee_id", "category", "label", "payer", "payer_id", "payee_id",
			"method", "evidence_sha256"}, money("amount")),
		domain.TypeFeeReimbursed: join([]string{"worker_id", "reimbursement_id", "fee_id", "paid_by"}, money("amount")),
		domain.TypeLoanTaken: join([]string{"worker_id", "loan_id", "lender_id", "purpose", "annual_interest_pct"},
			money("principal")),
		domain.TypeContractSigned: join([]string{"worker_id", "contract_id", "stage", "language", "worker_copy",
			"document_sha256"}, termsKeys),
		domain.TypeVisaIssued:       {"worker_id", "country", "sponsor_id"},
		domain.TypeWorkerDeparted:   {"worker_id", "from_country", "to_country"},
		domain.TypeWorkerArrived:    {"worker_id", "country"},
		domain.TypeWorkerDeployed:   {"worker_id", "employer_id", "worksite", "worksite.country", "worksite.city"},
		domain.TypeDocumentRetained: {"worker_id", "document", "held_by"},
		domain.TypeDocumentReturned: {"worker_id", "document"},
		domain.TypeWorkerExited:     {"worker_id", "reason"},
		domain.TypeExchangeRatesPublished: {"rates_id", "source", "base", "date", "rates", "rates.USD", "rates.MYR",
			"rates.NPR", "rates.JPY", "rates.CYP"},
		domain.TypeWorkerReported: join([]string{"worker_id", "report_id", "kind", "channel", "language", "note_sha256",
			"fee", "fee.category", "fee.payee_id", "fee.paid_on", "fee.method",
			"contract_term", "contract_term.term", "contract_term.promised", "contract_term.actual",
			"document", "document.document", "document.held_by"}, money("fee.amount")),
		domain.TypeWorkerReportResolved: {"worker_id", "report_id", "outcome", "note_sha256"},
	}
	for _, typ := range domain.Types {
		t.Run(typ, func(t *testing.T) {
			want, ok := spec[typ]
			if !ok {
				t.Fatalf("no spec field list for %s", typ)
			}
			var data any
			if err := json.Unmarshal(readGolden(t, typ), &data); err != nil {
				t.Fatal(err)
			}
			got := keyPaths("", data, nil)
			want = slices.Clone(want)
			sort.Strings(got)
			sort.Strings(want)
			got, want = slices.Compact(got), slices.Compact(want)
			if !slices.Equal(got, want) {
				t.Errorf("field names differ from the spec\n got: %s\nwant: %s", strings.Join(got, " "), strings.Join(want, " "))
			}
		})
	}
}

// keyPaths lists the dotted paths of every key in v; elements of arrays of objects appear as "name[].key".
func keyPaths(prefix string, v any, out []string) []string {
	switch v := v.(type) {
	case map[string]any:
		for k, child := range v {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			out = keyPaths(p, child, append(out, p))
		}
	case []any:
		for _, el := range v {
			out = keyPaths(prefix+"[]", el, out)
		}
	}
	return out
}

func readGolden(t *testing.T, typ string) []byte {
	t.Helper()
	b, err := os.ReadFile(goldenPath(typ))
	if err != nil {
		t.Fatalf("read golden file (run go test ./domain -run Golden -update): %v", err)
	}
	return b
}
