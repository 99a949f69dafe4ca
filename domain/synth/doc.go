// Package synth generates realistic synthetic recruitment histories for demos, tests and benchmarks.
//
// A dataset is a list of event envelopes, as the NDJSON importer reads them: the organisations of a few
// supply chains (buyers, employers, destination and origin agencies, sub-agents, an auditor), the fee
// policies that apply to them (buyer codes and national rules), the employers' job orders with their
// recruitment chains, and then each worker's journey from recruitment to deployment and beyond, with the fees,
// loans, contracts, retained documents and reimbursements that auditors look for. Corridors run from Nepal,
// Bangladesh, the Philippines, India and Indonesia to Malaysia, Saudi Arabia, Qatar, the United Arab Emirates
// and Taiwan, with local currencies, languages and wage levels.
//
// The shares and amounts are calibrated against published surveys, per origin and destination (corridors.go
// lists the figures; the README's calibration table compares them with what projections measure): costs per
// corridor drawn from a right-skewed distribution, recruitment loans per origin, passports held per
// destination, a third or more of workers paid less than promised, and repayment of fees concentrated at the
// employers under a buyer's remediation programme.
//
// Output is a function of Options alone: the generator draws from a PCG seeded with Options.Seed and never
// reads the clock, so the same options give the same bytes. Organisations, policies and job orders come first
// in the output; each worker's events follow in business-time order.
package synth
