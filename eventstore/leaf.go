package eventstore

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/fairtrail/fairtrail/domain"
)

// Leaf is a stored event's log leaf (spec section 6): the canonical JSON, keys sorted and no white space, of
// its event_id, section 5 hash (lower-case hex), recorded_at (RFC 3339 in UTC at the store's precision),
// recorded_by, revision and stream. A stored hash that is not 64 hex digits is kept as it is, so the leaf of
// a damaged event differs from the one its receipt names.
func Leaf(rec Recorded) []byte {
	var h [32]byte
	if len(rec.Hash) == 64 {
		if _, err := hex.Decode(h[:], []byte(rec.Hash)); err == nil {
			return AppendLeaf(nil, rec.ID, h, rec.RecordedAt, rec.RecordedBy, rec.Revision, rec.Stream)
		}
	}
	b := append([]byte(nil), `{"event_id":"`...)
	b = append(b, rec.ID.String()...)
	b = append(b, `","hash":`...)
	b = appendJSONString(b, rec.Hash)
	return appendLeafTail(b, rec.RecordedAt, rec.RecordedBy, rec.Revision, rec.Stream)
}

// AppendLeaf appends the leaf bytes of an event to b.
func AppendLeaf(b []byte, id domain.EventID, hash [32]byte, recordedAt time.Time, recordedBy string, revision uint64, stream string) []byte {
	b = append(b, `{"event_id":"`...)
	b = append(b, id.String()...)
	b = append(b, `","hash":"`...)
	b = hex.AppendEncode(b, hash[:])
	b = append(b, '"')
	return appendLeafTail(b, recordedAt, recordedBy, revision, stream)
}

func appendLeafTail(b []byte, recordedAt time.Time, recordedBy string, revision uint64, stream string) []byte {
	b = append(b, `,"recorded_at":"`...)
	b = recordedAt.UTC().AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","recorded_by":`...)
	b = appendJSONString(b, recordedBy)
	b = append(b, `,"revision":`...)
	b = strconv.AppendUint(b, revision, 10)
	b = append(b, `,"stream":`...)
	b = appendJSONString(b, stream)
	return append(b, '}')
}

// LeafHash is the RFC 6962 hash of leaf bytes: SHA-256 of 0x00 and the bytes.
func LeafHash(leaf []byte) [32]byte { return tlog.RecordHash(leaf) }

// appendJSONString appends s as a JSON string: quotes, backslashes and control characters escaped, the rest
// as is (encoding/json's rules without HTML escaping; invalid UTF-8 becomes U+FFFD).
func appendJSONString(b []byte, s string) []byte {
	simple := utf8.ValidString(s)
	for i := 0; simple && i < len(s); i++ {
		simple = s[i] >= 0x20 && s[i] != '"' && s[i] != '\\'
	}
	if simple {
		b = append(b, '"')
		b = append(b, s...)
		return append(b, '"')
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return append(b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
}
