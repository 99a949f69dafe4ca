package projections

import "github.com/fairtrail/fairtrail/domain"

// flagCounts counts flags by code, in domain.FlagCodes order: a rollup adds arrays, not map entries.
type flagCounts [domain.NumFlagCodes]int32

// flagIndex maps a flag code to its place in domain.FlagCodes.
var flagIndex = func() map[string]int {
	idx := make(map[string]int, len(domain.FlagCodes))
	for i, c := range domain.FlagCodes {
		idx[c] = i
	}
	return idx
}()

func (c *flagCounts) add(flags []domain.Flag) {
	for _, f := range flags {
		c[flagIndex[f.Code]]++
	}
}

func (c *flagCounts) addAll(o *flagCounts) {
	for i, n := range o {
		c[i] += n
	}
}

// total is the number of flags counted.
func (c *flagCounts) total() int32 {
	var n int32
	for _, k := range c {
		n += k
	}
	return n
}

// byCode gives the non-zero counts by code.
func (c *flagCounts) byCode() map[string]int {
	out := make(map[string]int)
	for i, n := range c {
		if n > 0 {
			out[domain.FlagCodes[i]] = int(n)
		}
	}
	return out
}

// SubstitutionCodes are the flags that say a worker's contract was substituted: a later contract less
// favourable than the baseline, or a first contract less favourable than the job order.
var SubstitutionCodes = []string{domain.FlagContractSubstitution, domain.FlagContractBelowJobOrder}

// substituted reports whether a substitution flag is counted.
func (c *flagCounts) substituted() bool {
	for _, code := range SubstitutionCodes {
		if c[flagIndex[code]] > 0 {
			return true
		}
	}
	return false
}
