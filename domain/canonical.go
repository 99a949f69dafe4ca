package domain

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"time"
)

// CanonicalBytes are the bytes that the tamper-evidence hash covers (spec section 5): a JSON object with the
// keys in alphabetical order and no white space,
//
//	{"data":<canonical data>,"event_id":"<uuid>","occurred_at":"<RFC 3339 UTC>","type":"<type>"}
//
// where occurred_at is written in UTC with as many fractional-second digits as needed (RFC3339Nano).
func CanonicalBytes(eventType string, occurredAt time.Time, data []byte, id EventID) []byte {
	b := make([]byte, 0, len(data)+160)
	b = append(b, `{"data":`...)
	b = append(b, data...)
	b = append(b, `,"event_id":"`...)
	b = append(b, id.String()...)
	b = append(b, `","occurred_at":`...)
	b = strconv.AppendQuote(b, occurredAt.UTC().Format(time.RFC3339Nano))
	b = append(b, `,"type":`...)
	b = strconv.AppendQuote(b, eventType)
	return append(b, '}')
}

// ChainHash is an event's hash: the lower-case hex SHA-256 of the previous event's hash in its stream (its hex
// text; empty for a stream's first event) followed by the event's canonical bytes.
func ChainHash(prevHash string, canonical []byte) string {
	sum := ChainSum([]byte(prevHash), canonical)
	return hex.EncodeToString(sum[:])
}

// ChainSum is ChainHash before its hex: the SHA-256 of prevHash (the previous event's hash as hex text, empty
// for a stream's first event) followed by the canonical bytes, for a caller that keeps hashes as bytes.
func ChainSum(prevHash, canonical []byte) [sha256.Size]byte {
	h := sha256.New()
	h.Write(prevHash)
	h.Write(canonical)
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return sum
}
