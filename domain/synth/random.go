package synth

import (
	"encoding/hex"
	"time"
)

// chance is true with probability p.
func (g *generator) chance(p float64) bool { return g.rng.Float64() < p }

// intn is a uniform integer in [0, n).
func (g *generator) intn(n int) int { return g.rng.IntN(n) }

// between is a uniform integer in [lo, hi].
func (g *generator) between(lo, hi int) int { return lo + g.rng.IntN(hi-lo+1) }

// uniform is a uniform float in [lo, hi).
func (g *generator) uniform(lo, hi float64) float64 { return lo + (hi-lo)*g.rng.Float64() }

// pick is a uniform element of xs.
func pick[T any](g *generator, xs []T) T { return xs[g.rng.IntN(len(xs))] }

// weighted is an index of ws drawn with probability proportional to its weight.
func (g *generator) weighted(ws []int) int {
	total := 0
	for _, w := range ws {
		total += w
	}
	r := g.rng.IntN(total)
	for i, w := range ws {
		if r < w {
			return i
		}
		r -= w
	}
	return len(ws) - 1
}

// sha256Hex is a random 64-digit hex string, standing in for the hash of a receipt or contract scan.
func (g *generator) sha256Hex() string {
	var raw [32]byte
	for i := 0; i < len(raw); i += 8 {
		v := g.rng.Uint64()
		for j := range 8 {
			raw[i+j] = byte(v >> (8 * j))
		}
	}
	return hex.EncodeToString(raw[:])
}

// Durations of business time.
const (
	hour = time.Hour
	day  = 24 * time.Hour
)

// days is n days.
func days(n int) time.Duration { return time.Duration(n) * day }

// within is a uniform instant in [from, to), to the minute; from when the interval is empty.
func (g *generator) within(from, to time.Time) time.Time {
	minutes := int64(to.Sub(from) / time.Minute)
	if minutes <= 0 {
		return from
	}
	return from.Add(time.Duration(g.rng.Int64N(minutes)) * time.Minute)
}

// officeHours is a time on the day of t between 02:00 and 11:00 UTC: office hours in South and South-East
// Asia and the Gulf.
func (g *generator) officeHours(t time.Time) time.Time {
	d := t.Truncate(day)
	return d.Add(2*hour + time.Duration(g.intn(9*60))*time.Minute)
}

// dateOnly writes t as a full date, 2006-01-02.
func dateOnly(t time.Time) string { return t.Format(time.DateOnly) }
