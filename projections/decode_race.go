//go:build race

package projections

import "encoding/json"

// storedDecoder names the decoder of unmarshalStored.
const storedDecoder = "encoding/json"

// unmarshalStored decodes a stored event's data into v. Under the race detector it is encoding/json, so that
// the race build does not compile goccy/go-json, whose root package holds its four encoder VMs beside the
// decoder: 24.7 of a clean clone's race build's CPU seconds, for a decoder that does nothing concurrent of
// fairtrail's (it fills a new event, which the caller alone holds). The shipped binary and every test run
// without -race decode with goccy/go-json (decode_goccy.go); ops/test runs the tests of the replay decoder
// without -race (TestDecodeStoredAgreesWithDomain against the domain's decoder, FuzzDecodeStoredRates' seeds
// against the rates' own parser), and TestBinary checks that the shipped binary holds goccy's Unmarshal.
func unmarshalStored(data []byte, v any) error { return json.Unmarshal(data, v) }
