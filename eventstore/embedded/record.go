package embedded

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"hash/crc32"
	"strings"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
)

// fileMagic opens events.log: the format name and version.
var fileMagic = []byte("FTLOG\x00\x00\x01")

const (
	headerSize     = 8 // u32 payload length, u32 CRC-32C of the payload
	recordVersion  = 1
	maxPayload     = 16 << 20
	maxData        = 1 << 20
	fixedPartBytes = 1 + 8 + 8 + 8 + 8 + 16 + 32
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// appendRecord encodes one event as a record onto b.
func appendRecord(b []byte, r *eventstore.Recorded, hash [32]byte) []byte {
	start := len(b)
	b = append(b, make([]byte, headerSize)...)
	b = append(b, recordVersion)
	b = binary.LittleEndian.AppendUint64(b, r.Position.Commit)
	b = binary.LittleEndian.AppendUint64(b, r.Revision)
	b = binary.LittleEndian.AppendUint64(b, uint64(r.RecordedAt.UnixNano()))
	b = binary.LittleEndian.AppendUint64(b, uint64(r.OccurredAt.UnixNano()))
	b = append(b, r.ID[:]...)
	b = append(b, hash[:]...)
	for _, s := range []string{r.Stream, r.Type, r.RecordedBy} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	b = binary.AppendUvarint(b, uint64(len(r.Data)))
	b = append(b, r.Data...)
	payload := b[start+headerSize:]
	binary.LittleEndian.PutUint32(b[start:], uint32(len(payload)))
	binary.LittleEndian.PutUint32(b[start+4:], crc32.Checksum(payload, castagnoli))
	return b
}

var errShortPayload = errors.New("record payload is truncated or malformed")

// header is the part of a record that the index needs.
type header struct {
	position uint64
	revision uint64
	id       domain.EventID
	hash     [32]byte
	stream   []byte // aliases the payload
}

func decodeHeader(p []byte) (header, []byte, error) {
	var h header
	if len(p) < fixedPartBytes || p[0] != recordVersion {
		return h, nil, errShortPayload
	}
	h.position = binary.LittleEndian.Uint64(p[1:])
	h.revision = binary.LittleEndian.Uint64(p[9:])
	copy(h.id[:], p[33:49])
	copy(h.hash[:], p[49:81])
	rest := p[fixedPartBytes:]
	stream, rest, ok := readString(rest)
	if !ok {
		return h, nil, errShortPayload
	}
	h.stream = stream
	return h, rest, nil
}

// decodeRecord decodes a whole payload; Data and strings are copied out of p.
func decodeRecord(p []byte) (eventstore.Recorded, error) {
	h, rest, err := decodeHeader(p)
	if err != nil {
		return eventstore.Recorded{}, err
	}
	typ, rest, ok1 := readString(rest)
	by, rest, ok2 := readString(rest)
	data, rest, ok3 := readString(rest)
	if !ok1 || !ok2 || !ok3 || len(rest) != 0 {
		return eventstore.Recorded{}, errShortPayload
	}
	// The four strings share one allocation: a replay decodes every record, so allocations count.
	var sb strings.Builder
	sb.Grow(len(h.stream) + len(typ) + len(by) + 2*len(h.hash))
	sb.Write(h.stream)
	sb.Write(typ)
	sb.Write(by)
	var hexHash [2 * len(h.hash)]byte
	hex.Encode(hexHash[:], h.hash[:])
	sb.Write(hexHash[:])
	all := sb.String()
	a, b, c := len(h.stream), len(h.stream)+len(typ), len(h.stream)+len(typ)+len(by)
	return eventstore.Recorded{
		ID:         h.id,
		Type:       all[a:b],
		Stream:     all[:a],
		Revision:   h.revision,
		Position:   eventstore.Position{Commit: h.position, Prepare: h.position},
		RecordedAt: time.Unix(0, int64(binary.LittleEndian.Uint64(p[17:]))).UTC(),
		OccurredAt: time.Unix(0, int64(binary.LittleEndian.Uint64(p[25:]))).UTC(),
		RecordedBy: all[b:c],
		Data:       append([]byte(nil), data...),
		Hash:       all[c:],
	}, nil
}

func readString(b []byte) (s, rest []byte, ok bool) {
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)-k) {
		return nil, nil, false
	}
	return b[k : k+int(n)], b[k+int(n):], true
}

// checkPayload verifies a payload's CRC.
func checkPayload(p []byte, crc uint32) bool { return crc32.Checksum(p, castagnoli) == crc }
