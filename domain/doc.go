// Package domain is fairtrail's event catalogue (spec v1): the recruitment events with their validation, the
// canonical encoding that is stored and hashed, stream derivation, and the vocabulary of money, terms and
// flags that the projections speak. It imports only the standard library and an exact decimal type; it reads
// no clock: times are passed in.
package domain
