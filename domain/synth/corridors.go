package synth

import "math"

// What workers pay is calibrated per corridor against published surveys (the README's calibration table lists
// each figure with its source and year):
//
//   - Bangladesh to Malaysia US$4.5-6k (2024); Bangladesh overall Tk 4.0-4.4 lakh, about 18 months of
//     earnings (BBS Cost of Migration Survey 2020);
//   - Nepal to Malaysia about twice Nepal to the Gulf (Migrant Recruitment Advisor 2021);
//   - Indonesia to Malaysia US$340-742 (World Bank);
//   - most Filipino workers about one month of wages (World Bank 2023);
//   - Taiwan NT$80-200k before departure, then a broker service fee every month of the 3-year contract
//     (TIWA 2023);
//   - a right-skewed distribution, mean about 1.3 times the median (World Bank 2009, Bangladesh).

// corridorMedianUSD is, per origin and destination, the median of what a paying worker pays before departure,
// in US dollars. Corridors no destination recruits from are 0.
var corridorMedianUSD = [numOrigins][numDestinations]float64{
	oNP: {dMY: 1700, dSA: 850, dQA: 850, dAE: 850},
	oBD: {dMY: 4300, dSA: 3200, dQA: 3200, dAE: 3200},
	oPH: {dSA: 270, dQA: 270, dAE: 270, dTW: 3500},
	oIN: {dMY: 1500, dSA: 1100, dQA: 1100, dAE: 1000},
	oID: {dMY: 450, dSA: 800, dTW: 3500},
}

// baseMedianUSD is the median of what a paying worker's costs before departure add up to when each is drawn
// from its feeSpecs range unscaled (measured: the recruitment fee and the related costs a worker pays).
const baseMedianUSD = 1150

// costSigma is the spread of the lognormal a worker's cost is drawn from: a lognormal's mean is
// exp(sigma^2/2) times its median, so sigma = sqrt(2 ln 1.25) gives a mean 1.25 times the median; which costs a
// worker pays, each drawn from a range, add the rest of the skew (measured: about 1.3).
var costSigma = math.Sqrt(2 * math.Log(1.25))

// costZ bounds the standard normal draw, so that no worker pays a thousandth or a hundred times the median.
const costZLo, costZHi = -2.5, 3.0

// costScale is the factor every cost a worker pays before departure is scaled by: the corridor's median over
// the unscaled median, times a lognormal draw with median 1.
func (g *generator) costScale(w *worker) float64 {
	z := min(max(g.rng.NormFloat64(), costZLo), costZHi)
	return corridorMedianUSD[w.o][w.jo.employer.dest] / baseMedianUSD * math.Exp(costSigma*z)
}
