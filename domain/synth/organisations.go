package synth

import (
	"strconv"
	"time"

	"github.com/fairtrail/fairtrail/domain"
)

// org is a registered organisation.
type org struct {
	id, name, role, country string
	licence                 *domain.Licence
	city                    string // an employer's worksite
	industry                int    // an employer's industry
	dest                    int    // an employer's or destination agency's country
	registered              time.Time
	remediation             bool // an employer under a buyer's remediation programme
}

// world is the cast of a dataset: its organisations, the third parties workers pay, and the job orders.
type world struct {
	orgs           []*org // in registration order
	buyers         []*org
	employers      []*org
	employersIn    [numDestinations][]*org
	destAgencies   [numDestinations][]*org
	originAgencies [numOrigins][]*org
	subAgents      [numOrigins][]*org
	// brokers are sub-agents that no job order engages: the undisclosed intermediaries.
	brokers   [numOrigins][]*org
	payees    [numOrigins]thirdParties
	jobOrders []*jobOrder
	names     map[string]int // organisation names in use, for uniqueness
}

// thirdParties are the unregistered parties at origin that workers pay or borrow from, by id.
type thirdParties struct {
	clinics, testCentres, trainers, insurers, banks, lenders, moneylenders []string
}

// buildOrganisations casts the organisations: ~5 buyers, an auditor, about one employer per 200 workers
// (at least one per destination), and agencies and sub-agents in proportion to the workers.
func (g *generator) buildOrganisations() {
	w := &g.w
	w.names = make(map[string]int)
	for _, b := range buyerTable {
		o := g.register("buyer-", len(w.buyers)+1, b.name, domain.RoleBuyer, b.country, nil)
		w.buyers = append(w.buyers, o)
	}
	g.register("auditor-", 1, "Clearwater Social Compliance Pte. Ltd.", domain.RoleAuditor, "SG", nil)
	g.buildEmployers()
	workers := g.opts.Workers
	for d := range numDestinations {
		for range 2 + workers/4000 {
			w.destAgencies[d] = append(w.destAgencies[d], g.destinationAgency(d))
		}
	}
	for o := range numOrigins {
		g.buildOrigin(o)
	}
}

// buildEmployers registers the employers, spread over the destinations by weight.
func (g *generator) buildEmployers() {
	w := &g.w
	weights := make([]int, numDestinations)
	for d := range numDestinations {
		weights[d] = destinations[d].weight
	}
	n := max(numDestinations, (g.opts.Workers+100)/200)
	for i := range n {
		d := i // the first employers cover every destination
		if i >= numDestinations {
			d = g.weighted(weights)
		}
		dst := &destinations[d]
		ind := pick(g, dst.industries)
		city := pick(g, dst.cities)
		name := g.uniqueName(city+" "+pick(g, industries[ind].words), dst.legalSuffix)
		e := g.register("emp-"+dst.slug+"-", len(w.employersIn[d])+1, name, domain.RoleEmployer, dst.code, nil)
		e.city, e.industry, e.dest = city, ind, d
		w.employers = append(w.employers, e)
		w.employersIn[d] = append(w.employersIn[d], e)
	}
	for _, i := range g.chosen(n, remediationShare) {
		w.employers[i].remediation = true
	}
}

// destinationAgency registers a licensed recruitment agency at destination d.
func (g *generator) destinationAgency(d int) *org {
	dst := &destinations[d]
	name := g.uniqueName(pick(g, dst.cities)+" "+pick(g, dst.agencyWords), dst.legalSuffix)
	o := g.register("agency-"+dst.slug+"-", len(g.w.destAgencies[d])+1, name, domain.RoleAgency, dst.code,
		g.licence(dst.licence))
	o.dest = d
	return o
}

// buildOrigin registers origin o's licensed agencies, its sub-agents and its brokers, and names the clinics,
// training centres, insurers and lenders there.
func (g *generator) buildOrigin(o int) {
	w := &g.w
	src := &origins[o]
	workers := g.opts.Workers
	for range 2 + workers/2000 {
		name := g.uniqueName(src.agencyPrefix+pick(g, src.agencyWords[0])+" "+pick(g, src.agencyWords[1]),
			src.agencySuffix)
		a := g.register("agency-"+src.slug+"-", len(w.originAgencies[o])+1, name, domain.RoleAgency, src.code,
			g.licence(src.licence))
		w.originAgencies[o] = append(w.originAgencies[o], a)
	}
	for range 3 + workers/800 {
		name := g.uniqueName("Sub-agent, "+pick(g, src.districts)+" district", "")
		s := g.register("sub-"+src.slug+"-", len(w.subAgents[o])+1, name, domain.RoleSubAgent, src.code, nil)
		w.subAgents[o] = append(w.subAgents[o], s)
	}
	for range 2 + workers/5000 {
		name := g.uniqueName("Independent broker, "+pick(g, src.districts)+" district", "")
		b := g.register("broker-"+src.slug+"-", len(w.brokers[o])+1, name, domain.RoleSubAgent, src.code, nil)
		w.brokers[o] = append(w.brokers[o], b)
	}
	w.payees[o] = thirdParties{
		clinics:      seqIDs("clinic-"+src.slug+"-", 4),
		testCentres:  seqIDs("testcentre-"+src.slug+"-", 2),
		trainers:     seqIDs("orientation-"+src.slug+"-", 3),
		insurers:     seqIDs("insurer-"+src.slug+"-", 2),
		banks:        seqIDs("bank-"+src.slug+"-", 2),
		lenders:      seqIDs("mfi-"+src.slug+"-", 3),
		moneylenders: seqIDs("moneylender-"+src.slug+"-", 6),
	}
}

// register adds an organisation with id prefix+n, registered in the first two weeks after the start.
func (g *generator) register(prefix string, n int, name, role, country string, l *domain.Licence) *org {
	o := &org{
		id: prefix + strconv.Itoa(n), name: name, role: role, country: country, licence: l,
		registered: g.officeHours(g.start.Add(days(1 + g.intn(14)))),
	}
	g.w.orgs = append(g.w.orgs, o)
	return o
}

// licence is a licence of the authority in spec, valid until a date in the next five years (some lapse during
// the dataset).
func (g *generator) licence(spec licenceSpec) *domain.Licence {
	until := g.start.AddDate(0, g.between(6, 60), 0)
	return &domain.Licence{
		Authority:  spec.authority,
		Number:     spec.prefix + strconv.Itoa(g.between(100, 2999)) + spec.suffix,
		ValidUntil: dateOnly(until),
	}
}

// uniqueName is base+suffix, numbered when the name is already taken.
func (g *generator) uniqueName(base, suffix string) string {
	n := g.w.names[base]
	g.w.names[base] = n + 1
	if n == 0 {
		return base + suffix
	}
	return base + " " + strconv.Itoa(n+1) + suffix
}

// seqIDs is prefix1 ... prefixN.
func seqIDs(prefix string, n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = prefix + strconv.Itoa(i+1)
	}
	return ids
}

// emitOrganisations emits OrganisationRegistered for every organisation.
func (g *generator) emitOrganisations() {
	for _, o := range g.w.orgs {
		g.emit(o.registered, &domain.OrganisationRegistered{
			OrgID: o.id, Name: o.name, Role: o.role, Country: o.country, Licence: o.licence,
		})
	}
}
