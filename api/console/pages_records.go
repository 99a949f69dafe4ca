package console

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/fairtrail/fairtrail/api"
	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
	"github.com/fairtrail/fairtrail/projections/narrate"
)

// workerPage is the data of a worker's page.
type workerPage struct {
	Query      url.Values
	Currencies []string
	Report     *projections.WorkerReport
	Timeline   []timelineRow
	Contracts  contractTable
	Reports    []reportRow
	CanLink    bool           // the visitor may make the worker's access links
	Links      []api.LinkView // the worker's links, for a visitor who may manage them
}

// reportRow is a worker's report with what it says in plain words.
type reportRow struct {
	projections.ReportLine
	Sentence string
}

// reportRows words each report as the timeline does.
func reportRows(lines []projections.ReportLine) []reportRow {
	out := make([]reportRow, len(lines))
	for i, l := range lines {
		text, err := narrate.Sentence(&domain.WorkerReported{WorkerID: "", ReportID: l.ReportID, Kind: l.Kind,
			Channel: l.Channel, Language: l.Language, Fee: l.Fee, ContractTerm: l.ContractTerm, Document: l.Document,
			NoteSHA256: l.NoteSHA256})
		if err != nil {
			text = l.Kind
		}
		out[i] = reportRow{ReportLine: l, Sentence: text}
	}
	return out
}

// timelineRow is an event of the timeline in plain words.
type timelineRow struct {
	projections.TimelineEntry
	Sentence string
	Evidence bool         // named by a flag
	Receipt  *api.Receipt // nil when the store keeps no log
}

func (c *Console) worker(w http.ResponseWriter, r *http.Request, s *session) {
	q := pick(r, workerParams)
	rep, err := c.cfg.Reader.Worker(r.Context(), s.who, r.PathValue("id"), q)
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	evidence := map[string]bool{}
	for _, f := range rep.Flags {
		for _, id := range f.EventIDs {
			evidence[id] = true
		}
	}
	receipts, err := c.cfg.Reader.Receipts(r.Context(), s.who, rep.WorkerID)
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	d := workerPage{Query: q, Currencies: currencyChoices(q), Report: rep, Contracts: contractsSideBySide(rep.Contracts),
		Reports: reportRows(rep.Reports), CanLink: c.canLink(s.who), Links: c.linksOf(r, s, rep.WorkerID)}
	for _, e := range rep.Timeline {
		var rc *api.Receipt
		if got, ok := receipts[e.EventID]; ok {
			rc = &got
		}
		text, err := narrate.Entry(e)
		if err != nil {
			text = e.Type // an event this version cannot word; its type still says what happened
		}
		d.Timeline = append(d.Timeline, timelineRow{TimelineEntry: e, Sentence: text, Evidence: evidence[e.EventID],
			Receipt: rc})
	}
	c.render(w, r, http.StatusOK, "worker", s, d)
}

// contractTable lays contract versions side by side: a column per version, a row per term.
type contractTable struct {
	Versions []projections.ContractReport
	Rows     []termRow
}

// termRow is one term across the versions.
type termRow struct {
	Term  string
	Cells []termCell
}

// termCell is a term's value in one version; Changed marks a change for the worse against the baseline.
type termCell struct {
	Value   string
	Changed bool
	Note    string
}

// terms are the rows of the contract table, by the names projections.Change uses.
var terms = []struct {
	name  string
	value func(domain.Terms) string
}{
	{"position", func(t domain.Terms) string { return t.Position }},
	{"wage", func(t domain.Terms) string {
		return strings.TrimSpace(string(t.Wage.Amount) + " " + t.Wage.Currency + " / " + t.Wage.Per)
	}},
	{"hours_per_week", func(t domain.Terms) string { return narrate.Value(deref(t.HoursPerWeek)) }},
	{"rest_days_per_week", func(t domain.Terms) string { return narrate.Value(deref(t.RestDaysPerWeek)) }},
	{"duration_months", func(t domain.Terms) string { return narrate.Value(deref(t.DurationMonths)) }},
	{"deductions", func(t domain.Terms) string { return narrate.Value(t.Deductions) }},
	{"worksite", func(t domain.Terms) string { return narrate.Place(t.Worksite) }},
	{"benefits", func(t domain.Terms) string { return strings.Join(t.Benefits, ", ") }},
	{"employer_id", func(t domain.Terms) string { return t.EmployerID }},
}

func deref(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

func contractsSideBySide(cs []projections.ContractReport) contractTable {
	t := contractTable{Versions: cs}
	for _, term := range terms {
		row := termRow{Term: term.name}
		for _, c := range cs {
			cell := termCell{Value: term.value(c.Terms)}
			for _, ch := range c.Changes {
				if ch.Term == term.name || strings.HasPrefix(ch.Term, term.name+".") {
					cell.Changed, cell.Note = true, ch.Note
				}
			}
			row.Cells = append(row.Cells, cell)
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// jobOrderPage is the data of a job order's page.
type jobOrderPage struct {
	JobOrder *projections.JobOrder
	Chain    []chainNode
}

// chainNode is an organisation of the recruitment chain, the agencies it engaged under it and the workers it
// recruited. Undisclosed marks an agency that recruited workers without being engaged on the job order.
type chainNode struct {
	Org         string
	Role        string
	Undisclosed bool
	Workers     []api.Recruit
	Under       []chainNode
}

func (c *Console) jobOrder(w http.ResponseWriter, r *http.Request, s *session) {
	jo, recruits, err := c.cfg.Reader.JobOrder(r.Context(), s.who, r.PathValue("id"))
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	c.render(w, r, http.StatusOK, "joborder", s, jobOrderPage{JobOrder: jo, Chain: []chainNode{chainTree(jo, recruits)}})
}

// chainTree builds the chain from the employer down: each agency under whoever engaged it, then the
// recruiters that were never engaged, marked undisclosed, under the employer.
func chainTree(jo *projections.JobOrder, recruits []api.Recruit) chainNode {
	byOrg := map[string][]api.Recruit{}
	for _, rc := range recruits {
		byOrg[rc.RecruitedBy] = append(byOrg[rc.RecruitedBy], rc)
	}
	engaged := map[string]bool{jo.EmployerID: true}
	for _, e := range jo.Chain {
		engaged[e.AgencyID] = true
	}
	var build func(org, role string, depth int) chainNode
	build = func(org, role string, depth int) chainNode {
		n := chainNode{Org: org, Role: role, Workers: byOrg[org]}
		for _, e := range jo.Chain {
			if e.EngagedBy == org && e.AgencyID != org && depth < 8 {
				n.Under = append(n.Under, build(e.AgencyID, e.Role, depth+1))
			}
		}
		return n
	}
	root := build(jo.EmployerID, "employer", 0)
	var hidden []string
	for org := range byOrg {
		if !engaged[org] && org != "" {
			hidden = append(hidden, org)
		}
	}
	slices.Sort(hidden)
	for _, org := range hidden {
		root.Under = append(root.Under, chainNode{Org: org, Role: "agency", Undisclosed: true, Workers: byOrg[org]})
	}
	return root
}
