//go:build !race

package projections

import gojson "github.com/goccy/go-json"

// storedDecoder names the decoder of unmarshalStored.
const storedDecoder = "goccy/go-json"

// unmarshalStored decodes a stored event's data into v with goccy/go-json: what every build but the race
// detector's decodes with (see decode_race.go).
func unmarshalStored(data []byte, v any) error { return gojson.Unmarshal(data, v) }
