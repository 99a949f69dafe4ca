package kurrent

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
)

// metaVersion is the version of fairtrail's metadata format.
const metaVersion = 1

// metadata is fairtrail's part of a stored event, kept as the KurrentDB event's user metadata (custom
// metadata on the wire), with the keys in this order and times in UTC:
//
//	{"fairtrail":1,"occurred_at":"2025-03-04T09:00:00Z","recorded_at":"2025-03-05T10:11:12.123456789Z",
//	 "recorded_by":"import","hash":"<64 lower-case hex digits>"}
//
// occurred_at is fairtrail's own (KurrentDB's "created" is the server's clock, not business time), with every
// digit of precision the event was given, so that the event's canonical bytes, and its hash, are reproduced.
type metadata struct {
	Version    int    `json:"fairtrail"`
	OccurredAt string `json:"occurred_at"`
	RecordedAt string `json:"recorded_at"`
	RecordedBy string `json:"recorded_by"`
	Hash       string `json:"hash"`
}

func encodeMetadata(occurredAt, recordedAt time.Time, recordedBy, hash string) []byte {
	b, err := json.Marshal(metadata{Version: metaVersion, OccurredAt: occurredAt.UTC().Format(time.RFC3339Nano),
		RecordedAt: recordedAt.UTC().Format(time.RFC3339Nano), RecordedBy: recordedBy, Hash: hash})
	if err != nil {
		panic(fmt.Sprintf("encode metadata: %v", err)) // strings and an int always encode
	}
	return b
}

// decodeMetadata reads fairtrail's metadata strictly: a known version, every field, valid times and hash.
func decodeMetadata(b []byte) (occurredAt, recordedAt time.Time, recordedBy, hash string, err error) {
	if len(b) == 0 {
		return time.Time{}, time.Time{}, "", "", errors.New("no fairtrail metadata (not written by fairtrail?)")
	}
	m, ok := fastMetadata(b)
	if !ok {
		if m, err = jsonMetadata(b); err != nil {
			return time.Time{}, time.Time{}, "", "", err
		}
	}
	return checkMetadata(m)
}

// jsonMetadata reads metadata as any JSON object with exactly fairtrail's keys.
func jsonMetadata(b []byte) (metadata, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var m metadata
	if err := dec.Decode(&m); err != nil {
		return m, fmt.Errorf("fairtrail metadata: %v", err)
	}
	if dec.More() {
		return m, errors.New("fairtrail metadata: data after the object")
	}
	return m, nil
}

func checkMetadata(m metadata) (occurredAt, recordedAt time.Time, recordedBy, hash string, err error) {
	if m.Version != metaVersion {
		return time.Time{}, time.Time{}, "", "", fmt.Errorf("fairtrail metadata version %d, want %d", m.Version, metaVersion)
	}
	if occurredAt, err = time.Parse(time.RFC3339Nano, m.OccurredAt); err != nil {
		return time.Time{}, time.Time{}, "", "", fmt.Errorf("fairtrail metadata occurred_at: %v", err)
	}
	if recordedAt, err = time.Parse(time.RFC3339Nano, m.RecordedAt); err != nil {
		return time.Time{}, time.Time{}, "", "", fmt.Errorf("fairtrail metadata recorded_at: %v", err)
	}
	if !isHash(m.Hash) {
		return time.Time{}, time.Time{}, "", "", fmt.Errorf("fairtrail metadata hash %q is not 64 lower-case hex digits", m.Hash)
	}
	return occurredAt.UTC(), recordedAt.UTC(), m.RecordedBy, m.Hash, nil
}

// fastMetadata reads metadata in exactly the form encodeMetadata writes, which is what every read meets, in a
// fraction of encoding/json's time; anything else (other key order, white space, escapes) is left to it.
func fastMetadata(b []byte) (metadata, bool) {
	var m metadata
	rest, ok := bytes.CutPrefix(b, []byte(`{"fairtrail":1,"occurred_at":"`))
	if !ok || !utf8.Valid(b) {
		return m, false
	}
	m.Version = 1
	fields := []struct {
		dst  *string
		next string
	}{{&m.OccurredAt, `","recorded_at":"`}, {&m.RecordedAt, `","recorded_by":"`}, {&m.RecordedBy, `","hash":"`}, {&m.Hash, `"}`}}
	for _, f := range fields {
		i := bytes.Index(rest, []byte(f.next))
		if i < 0 || bytes.ContainsAny(rest[:i], `"\`) || bytes.ContainsFunc(rest[:i], func(r rune) bool { return r < 0x20 }) {
			return m, false
		}
		*f.dst, rest = string(rest[:i]), rest[i+len(f.next):]
	}
	return m, len(rest) == 0
}

func isHash(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// eventData is the KurrentDB event for a planned fairtrail event.
func eventData(p eventstore.Planned) esdb.EventData {
	return esdb.EventData{EventID: uuid.UUID(p.ID), EventType: p.Type, ContentType: esdb.ContentTypeJson,
		Data: p.Data, Metadata: encodeMetadata(p.OccurredAt, p.RecordedAt, p.RecordedBy, hex.EncodeToString(p.Hash[:]))}
}

// recorded turns a KurrentDB event of the namespace into a fairtrail one; an event that fairtrail did not
// write, or whose metadata was damaged, is an eventstore.CorruptError naming it.
func (s *Store) recorded(ev *esdb.RecordedEvent) (eventstore.Recorded, error) {
	rec := eventstore.Recorded{ID: domain.EventID(ev.EventID), Type: ev.EventType,
		Stream:   strings.TrimPrefix(ev.StreamID, s.opts.Namespace),
		Revision: ev.EventNumber, Position: eventstore.Position{Commit: ev.Position.Commit, Prepare: ev.Position.Prepare},
		Data: ev.Data}
	var err error
	rec.OccurredAt, rec.RecordedAt, rec.RecordedBy, rec.Hash, err = decodeMetadata(ev.UserMetadata)
	if err != nil {
		return rec, &eventstore.CorruptError{Position: rec.Position, EventID: rec.ID.String(), Stream: rec.Stream,
			Where: fmt.Sprintf("KurrentDB stream %s revision %d", ev.StreamID, rec.Revision), Problem: err.Error()}
	}
	return rec, nil
}

// ours reports whether an event is this store's: in one of fairtrail's streams of the namespace, and not a
// system event (KurrentDB's event types starting with '$': links, tombstones, metadata).
func (s *Store) ours(ev *esdb.RecordedEvent) bool {
	name, ok := strings.CutPrefix(ev.StreamID, s.opts.Namespace)
	return ok && !strings.HasPrefix(ev.EventType, "$") && isFairtrailStream(name)
}

// isFairtrailStream reports whether a name is one of fairtrail's streams: a prefix followed by an id.
func isFairtrailStream(name string) bool {
	for _, p := range streamPrefixes() {
		if strings.HasPrefix(name, p) && len(name) > len(p) {
			return true
		}
	}
	return false
}

// kdb is a stream's name in KurrentDB.
func (s *Store) kdb(stream string) string { return s.opts.Namespace + stream }
