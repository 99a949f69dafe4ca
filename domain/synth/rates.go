package synth

import (
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/fairtrail/fairtrail/domain"
)

// ratesSource names the generated rates tables.
const ratesSource = "IMF (synthetic)"

// ratesSeedSalt separates the rates' random stream from the rest of the dataset, so that adding rates changes
// no other event.
const ratesSeedSalt = 0x7261746573

// eurPerUSD is the level the euro's rate wanders around.
const eurPerUSD = 0.92

// emitRates publishes a table of rates against the US dollar for every weekday of the dataset (from the first
// midnight at or after its start), for every currency the dataset pays in and the euro. Each rate wanders from the level the
// generator prices in (a daily step of about 0.3%, pulled back towards that level), as market rates do. They
// come last, after every other event, and draw from their own random stream.
func (g *generator) emitRates() {
	rng := rand.New(rand.NewPCG(uint64(g.opts.Seed), ratesSeedSalt))
	currencies, levels := ratesCurrencies()
	current := append([]float64(nil), levels...)
	first := g.start.UTC().Truncate(24 * time.Hour)
	if first.Before(g.start) {
		first = first.AddDate(0, 0, 1)
	}
	for d := first; !d.After(g.end); d = d.AddDate(0, 0, 1) {
		for i := range current {
			pull := 0.02 * math.Log(levels[i]/current[i])
			step := 0.003 * rng.NormFloat64() // drawn for every currency, so the stream does not depend on pegs
			if _, pegged := usdPegs[currencies[i]]; !pegged {
				current[i] *= math.Exp(step + pull)
			}
		}
		if d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
			continue
		}
		date := d.Format(time.DateOnly)
		rates := make(map[string]domain.Rate, len(currencies))
		for i, cur := range currencies {
			rates[cur] = domain.Rate(strconv.FormatFloat(current[i], 'f', ratePlaces(current[i]), 64))
		}
		g.emit(d, &domain.ExchangeRatesPublished{RatesID: domain.RatesID(ratesSource, date), Source: ratesSource,
			Base: "USD", Date: date, Rates: rates})
	}
}

// usdPegs are the currencies pegged to the US dollar, at the level their central banks hold.
var usdPegs = map[string]float64{"AED": 3.6725, "SAR": 3.75, "QAR": 3.64}

// ratesCurrencies lists the currencies the dataset pays in, with their levels per US dollar, and the euro.
func ratesCurrencies() ([]string, []float64) {
	currencies, levels := []string{"EUR"}, []float64{eurPerUSD}
	for _, o := range origins {
		currencies, levels = append(currencies, o.currency), append(levels, o.usdRate)
	}
	for _, d := range destinations {
		level := d.usdRate
		if peg, ok := usdPegs[d.currency]; ok {
			level = peg
		}
		currencies, levels = append(currencies, d.currency), append(levels, level)
	}
	return currencies, levels
}

// ratePlaces gives a rate about six significant digits, as central banks publish them.
func ratePlaces(v float64) int {
	switch {
	case v >= 10000:
		return 2
	case v >= 100:
		return 3
	case v >= 10:
		return 4
	}
	return 5
}
