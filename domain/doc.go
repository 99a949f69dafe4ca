// Package domain is fairtrail's event catalogue (spec v1): the recruitment events with their validation, the
// canonical encoding that is stored and hashed, stream derivation, and the vocabulary of money, terms and
// flags that the projections speak. It imports only the standard library, an exact decimal type and JSON v2
// (github.com/go-json-experiment/json, the proposed encoding/json/v2: the fast path of Decode); it reads no clock:
// times are passed in.
package domain
