package api

import (
	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
)

// currencyField checks the currency parameter of a read: an ISO 4217 code in upper case.
func currencyField(code string) *domain.FieldError {
	if projections.CheckCurrency(code) != nil {
		return &domain.FieldError{Path: "currency", Problem: "an ISO 4217 currency code in upper case, such as USD"}
	}
	return nil
}
