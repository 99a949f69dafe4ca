package eventstore_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
)

func TestLeafIsCanonicalJSON(t *testing.T) {
	id := domain.EventID{0: 0x01, 6: 0x70, 15: 0x2a}
	rec := eventstore.Recorded{ID: id, Stream: "worker-w\"1", Revision: 12, RecordedBy: "org<a>\n",
		RecordedAt: time.Date(2025, 3, 5, 10, 11, 12, 123456000, time.FixedZone("x", 3600)),
		Hash:       "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"}
	cases := []struct {
		name string
		rec  eventstore.Recorded
		want string
	}{
		{"fields sorted, time in UTC, strings escaped", rec,
			`{"event_id":"` + id.String() + `","hash":"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",` +
				`"recorded_at":"2025-03-05T09:11:12.123456Z","recorded_by":"org<a>\n","revision":12,"stream":"worker-w\"1"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := eventstore.Leaf(tc.rec)
			if string(got) != tc.want {
				t.Fatalf("leaf\n%s\nwant\n%s", got, tc.want)
			}
			var m map[string]any
			if err := json.Unmarshal(got, &m); err != nil || len(m) != 6 {
				t.Fatalf("leaf is not a JSON object of six fields: %v", err)
			}
		})
	}
}
