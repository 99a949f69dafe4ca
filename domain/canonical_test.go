package domain_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/domain"
)

func TestCanonicalBytes(t *testing.T) {
	id, err := domain.ParseEventID("0195603f-9a00-7c1a-9d2b-4e5f6a7b8c9d")
	if err != nil {
		t.Fatal(err)
	}
	data := []byte(`{"country":"MY","worker_id":"w1"}`)
	nepal := time.FixedZone("NPT", 5*3600+45*60)
	tests := []struct {
		name string
		at   time.Time
		want string
	}{
		{"UTC instant", time.Date(2025, 3, 4, 9, 0, 0, 0, time.UTC),
			`{"data":{"country":"MY","worker_id":"w1"},"event_id":"0195603f-9a00-7c1a-9d2b-4e5f6a7b8c9d","occurred_at":"2025-03-04T09:00:00Z","type":"WorkerArrived"}`},
		{"offset written in UTC", time.Date(2025, 3, 4, 14, 45, 0, 0, nepal),
			`{"data":{"country":"MY","worker_id":"w1"},"event_id":"0195603f-9a00-7c1a-9d2b-4e5f6a7b8c9d","occurred_at":"2025-03-04T09:00:00Z","type":"WorkerArrived"}`},
		{"fraction without trailing zeros", time.Date(2025, 3, 4, 9, 0, 0, 120_000_000, time.UTC),
			`{"data":{"country":"MY","worker_id":"w1"},"event_id":"0195603f-9a00-7c1a-9d2b-4e5f6a7b8c9d","occurred_at":"2025-03-04T09:00:00.12Z","type":"WorkerArrived"}`},
		{"nanoseconds", time.Date(2025, 3, 4, 9, 0, 0, 1, time.UTC),
			`{"data":{"country":"MY","worker_id":"w1"},"event_id":"0195603f-9a00-7c1a-9d2b-4e5f6a7b8c9d","occurred_at":"2025-03-04T09:00:00.000000001Z","type":"WorkerArrived"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := domain.CanonicalBytes(domain.TypeWorkerArrived, tc.at, data, id)
			if string(got) != tc.want {
				t.Errorf("CanonicalBytes =\n%s\nwant\n%s", got, tc.want)
			}
			if !json.Valid(got) {
				t.Error("canonical bytes are not valid JSON")
			}
			if sorted := sortedCompact(t, got); string(sorted) != string(got) {
				t.Errorf("keys not sorted or not compact: %s", got)
			}
		})
	}
}

// TestCanonicalBytesOfEveryExample checks that the hashed bytes of every example are one sorted, compact JSON
// object.
func TestCanonicalBytesOfEveryExample(t *testing.T) {
	for _, ex := range examples {
		t.Run(ex.typ, func(t *testing.T) {
			env := mustDecode(t, ex.envelope)
			got := domain.CanonicalBytes(env.Type, env.OccurredAt, mustEncode(t, env.Event), env.EventID)
			if sorted := sortedCompact(t, got); string(sorted) != string(got) {
				t.Errorf("canonical bytes not sorted and compact\n got: %s\nwant: %s", got, sorted)
			}
		})
	}
}

func TestChainHash(t *testing.T) {
	canonical := []byte(`{"data":{"country":"MY","worker_id":"w1"},"event_id":"0195603f-9a00-7c1a-9d2b-4e5f6a7b8c9d","occurred_at":"2025-03-04T09:00:00Z","type":"WorkerArrived"}`)
	sum := func(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }
	prev := sum("the previous event")
	tests := []struct {
		name string
		prev string
		want string
	}{
		{"first event of a stream", "", sum(string(canonical))},
		{"later event chains on the previous hash text", prev, sum(prev + string(canonical))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := domain.ChainHash(tc.prev, canonical); got != tc.want {
				t.Errorf("ChainHash = %s, want %s", got, tc.want)
			}
		})
	}
	if domain.ChainHash("", canonical) == domain.ChainHash(prev, canonical) {
		t.Error("the previous hash does not change the hash")
	}
}
