package domain

// withdrawnCurrencies are ISO 4217 codes withdrawn since the euro's introduction in 1999 (ISO 4217 list
// three) that long rates tables still carry: the ECB's historical file has a column for each of CYP, EEK,
// LTL, LVL, MTL, ROL, SIT, SKK and TRL. Money is recorded in current codes only; a rates table may name these.
// It is never modified after initialization.
var withdrawnCurrencies = map[string]struct{}{
	"ADP": {}, "ATS": {}, "AZM": {}, "BEF": {}, "BGL": {}, "BYR": {}, "CSD": {}, "CYP": {}, "DEM": {},
	"EEK": {}, "ESP": {}, "FIM": {}, "FRF": {}, "GHC": {}, "GRD": {}, "IEP": {}, "ITL": {}, "LTL": {},
	"LUF": {}, "LVL": {}, "MGF": {}, "MRO": {}, "MTL": {}, "MZM": {}, "NLG": {}, "PTE": {}, "ROL": {},
	"SDD": {}, "SIT": {}, "SKK": {}, "SRG": {}, "STD": {}, "TMM": {}, "TRL": {}, "VEB": {}, "VEF": {},
	"XEU": {}, "YUM": {}, "ZMK": {}, "ZWD": {}, "ZWN": {}, "ZWR": {},
}

// IsRateCurrency reports whether code may name a currency of a rates table: a current ISO 4217 code, or one
// withdrawn since 1999 (upper case, e.g. "EUR", "CYP").
func IsRateCurrency(code string) bool {
	if IsCurrency(code) {
		return true
	}
	_, ok := withdrawnCurrencies[code]
	return ok
}
