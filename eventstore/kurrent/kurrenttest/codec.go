package kurrenttest

import (
	"encoding/binary"
	"fmt"
	"strconv"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

// The double encodes the events it sends itself: building a ReadResp with its metadata map and marshalling it
// cost most of a read's time, which made tests that read a large store slow under the race detector.

// preEncoded is a message already in wire form; codec sends it as it is.
type preEncoded []byte

// codec is the proto codec, with preEncoded passed through.
type codec struct{}

func (codec) Marshal(v any) ([]byte, error) {
	if b, ok := v.(preEncoded); ok {
		return b, nil
	}
	m, ok := v.(proto.Message)
	if !ok {
		return nil, fmt.Errorf("kurrenttest: cannot encode %T", v)
	}
	return proto.Marshal(m)
}

func (codec) Unmarshal(data []byte, v any) error {
	m, ok := v.(proto.Message)
	if !ok {
		return fmt.Errorf("kurrenttest: cannot decode into %T", v)
	}
	return proto.Unmarshal(data, m)
}

func (codec) Name() string { return "proto" }

// eventWire is the wire form of a ReadResp carrying one record (streams.proto): content 1 is a ReadEvent,
// whose event 1 is the RecordedEvent and whose position is commit_position 3.
func eventWire(r *record, structured bool) preEncoded {
	var id []byte
	if structured {
		var st []byte
		st = protowire.AppendTag(st, 1, protowire.VarintType)
		st = protowire.AppendVarint(st, binary.BigEndian.Uint64(r.id[:8]))
		st = protowire.AppendTag(st, 2, protowire.VarintType)
		st = protowire.AppendVarint(st, binary.BigEndian.Uint64(r.id[8:]))
		id = protowire.AppendTag(id, 1, protowire.BytesType)
		id = protowire.AppendBytes(id, st)
	} else {
		id = protowire.AppendTag(id, 2, protowire.BytesType)
		id = protowire.AppendString(id, stringUUID(r.id).GetString_())
	}
	ev := make([]byte, 0, 200+len(r.stream)+len(r.meta)+len(r.data))
	ev = appendBytesField(ev, 1, id)
	ev = appendBytesField(ev, 2, protowire.AppendBytes(protowire.AppendTag(nil, 3, protowire.BytesType), []byte(r.stream)))
	ev = appendVarintField(ev, 3, r.revision)
	ev = appendVarintField(ev, 4, r.prepare)
	ev = appendVarintField(ev, 5, r.commit)
	for _, kv := range [][2]string{{"type", r.eventType}, {"content-type", r.contentType}, {"created", strconv.FormatInt(r.created, 10)}} {
		var entry []byte
		entry = appendBytesField(entry, 1, []byte(kv[0]))
		entry = appendBytesField(entry, 2, []byte(kv[1]))
		ev = appendBytesField(ev, 6, entry)
	}
	ev = appendBytesField(ev, 7, r.meta)
	ev = appendBytesField(ev, 8, r.data)
	var read []byte
	read = appendBytesField(read, 1, ev)
	read = appendVarintField(read, 3, r.commit)
	return appendBytesField(make([]byte, 0, len(read)+8), 1, read)
}

func appendBytesField(b []byte, num protowire.Number, v []byte) []byte {
	return protowire.AppendBytes(protowire.AppendTag(b, num, protowire.BytesType), v)
}

func appendVarintField(b []byte, num protowire.Number, v uint64) []byte {
	return protowire.AppendVarint(protowire.AppendTag(b, num, protowire.VarintType), v)
}
