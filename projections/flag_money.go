package projections

import (
	"encoding/json"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/fairtrail/fairtrail/domain"
)

// FlagMoney is a flag's money in a reporting currency: each of its amounts converted at the flag's raised_at
// (the deciding event's occurred_at; for an overdue reimbursement, the deadline by which it was due), rounded
// half-even to 2 decimals, then summed. An amount no rate converts is listed in NotConverted, not in Total.
type FlagMoney struct {
	Currency string       `json:"currency"`
	Total    domain.Money `json:"total"`
	// Conversions are the amounts in another currency, each with the rate used.
	Conversions  []domain.Conversion `json:"conversions"`
	NotConverted []domain.Money      `json:"not_converted"`
}

// ConvertedFlag is a flag with its money in a reporting currency beside the original amounts: the flag's JSON
// with a "converted" object added (none for a flag without money).
type ConvertedFlag struct {
	domain.Flag
	Converted *FlagMoney `json:"converted,omitempty"`
}

// UnmarshalJSON reads a converted flag back: the flag (as domain.Flag reads it, which it would otherwise do
// alone, its method being promoted) and its "converted" object.
func (c *ConvertedFlag) UnmarshalJSON(b []byte) error {
	var conv struct {
		Converted *FlagMoney `json:"converted"`
	}
	if err := json.Unmarshal(b, &conv); err != nil {
		return fmt.Errorf("read converted flag: %w", err)
	}
	if err := json.Unmarshal(b, &c.Flag); err != nil {
		return err
	}
	c.Converted = conv.Converted
	return nil
}

// Flag converts a flag's amounts; nil for a flag without money.
func (p Reporting) Flag(f domain.Flag) *FlagMoney {
	if len(f.Amounts) == 0 {
		return nil
	}
	out := &FlagMoney{Currency: p.Currency, Conversions: []domain.Conversion{}, NotConverted: []domain.Money{}}
	total := decimal.Zero
	for _, m := range f.Amounts {
		c, ok := p.Rates.Convert(m, p.Currency, f.RaisedAt)
		if !ok {
			out.NotConverted = append(out.NotConverted, m)
			continue
		}
		if m.Currency != p.Currency {
			out.Conversions = append(out.Conversions, c)
		}
		total = total.Add(c.To.Amount.Decimal())
	}
	out.Total = domain.Money{Amount: domain.Amount(domain.FormatAmount(total)), Currency: p.Currency}
	return out
}

// Flags converts each flag's money.
func (p Reporting) Flags(flags []domain.Flag) []ConvertedFlag {
	out := make([]ConvertedFlag, len(flags))
	for i, f := range flags {
		out[i] = ConvertedFlag{Flag: f, Converted: p.Flag(f)}
	}
	return out
}
