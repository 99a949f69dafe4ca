package kurrenttest

import (
	"math"
	"strconv"
	"testing"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"google.golang.org/protobuf/proto"
)

// eventMessage is the reference for eventWire: the same reply built as a message.
func eventMessage(r *record, structured bool) *streams.ReadResp {
	id := structuredUUID(r.id)
	if !structured {
		id = stringUUID(r.id)
	}
	return &streams.ReadResp{Content: &streams.ReadResp_Event{Event: &streams.ReadResp_ReadEvent{
		Event: &streams.ReadResp_ReadEvent_RecordedEvent{
			Id:               id,
			StreamIdentifier: &shared.StreamIdentifier{StreamName: []byte(r.stream)},
			StreamRevision:   r.revision,
			PreparePosition:  r.prepare,
			CommitPosition:   r.commit,
			Metadata: map[string]string{"type": r.eventType, "content-type": r.contentType,
				"created": strconv.FormatInt(r.created, 10)},
			CustomMetadata: r.meta,
			Data:           r.data,
		},
		Position: &streams.ReadResp_ReadEvent_CommitPosition{CommitPosition: r.commit},
	}}}
}

func TestEventWireIsTheMessage(t *testing.T) {
	recs := []*record{
		{id: [16]byte{0xff, 1, 2, 3, 4, 5, 6, 7, 0x80, 9, 10, 11, 12, 13, 14, 15}, stream: "worker-w1", revision: 3,
			commit: 9000, prepare: 8800, eventType: "FeePaid", contentType: "application/json", created: 17e15,
			meta: []byte(`{"fairtrail":1}`), data: []byte(`{"a":"é"}`)},
		{stream: "$stats-x", revision: math.MaxInt64, eventType: "$streamDeleted", contentType: "application/octet-stream",
			meta: []byte{}, data: []byte{}},
	}
	for _, r := range recs {
		for _, structured := range []bool{true, false} {
			var got streams.ReadResp
			if err := proto.Unmarshal(eventWire(r, structured), &got); err != nil {
				t.Fatal(err)
			}
			if want := eventMessage(r, structured); !proto.Equal(&got, want) {
				t.Fatalf("structured %v:\n got %v\nwant %v", structured, &got, want)
			}
		}
	}
}
