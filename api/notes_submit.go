package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore/notes"
)

// A report's free text comes in beside its data, never in it (spec section 8):
//
//	{"type": "WorkerReported", "occurred_at": "...", "data": {...}, "note": "They kept my passport."}
//
// The server validates the note, sets data.note_sha256 to its SHA-256 (or checks the one given), saves the
// text in the note store once the request's scope checks pass, and stores the event, which carries only the
// hash. If the append fails, the notes the request added are taken back. The text is never logged, never
// echoed in an error, and never reaches the log or the read model.

// noteTypes are the event types that may carry a note.
var noteTypes = map[string]bool{domain.TypeWorkerReported: true, domain.TypeWorkerReportResolved: true}

// takeNote removes a "note" member from an envelope and, when there was one, puts its hash into the data as
// note_sha256. It returns the envelope to decode, the note's text ("" for none) and the problems of the note,
// under the envelope's path. Malformed JSON is left for domain.Decode to report.
func takeNote(raw json.RawMessage, path string) (json.RawMessage, string, []domain.FieldError) {
	members, ok := objectMembers(raw)
	if !ok {
		return raw, "", nil
	}
	noteRaw, has := members["note"]
	if !has {
		return raw, "", nil
	}
	delete(members, "note")
	text, problem := noteOf(noteRaw, members["type"])
	if problem != "" {
		return remarshal(raw, members), "", []domain.FieldError{{Path: joinPath(path, "note"), Problem: problem}}
	}
	data, problem := withNoteHash(members["data"], notes.Hash(text))
	if problem != "" {
		return remarshal(raw, members), "", []domain.FieldError{{Path: joinPath(path, "data.note_sha256"), Problem: problem}}
	}
	members["data"] = data
	return remarshal(raw, members), text, nil
}

// noteOf reads a note's text, or says what is wrong with it; typ is the envelope's type (a bad type is
// domain.Decode's to report).
func noteOf(noteRaw, typ json.RawMessage) (string, string) {
	var text string
	if err := json.Unmarshal(noteRaw, &text); err != nil {
		return "", "must be a string"
	}
	var t string
	json.Unmarshal(typ, &t)
	if !noteTypes[t] {
		return "", "only WorkerReported and WorkerReportResolved carry a note"
	}
	if err := notes.Validate(text); err != nil {
		return "", notes.Problem(err)
	}
	return text, ""
}

// remarshal encodes an envelope's members again; raw, when that fails (it cannot: they were decoded).
func remarshal(raw json.RawMessage, members map[string]json.RawMessage) json.RawMessage {
	out, err := json.Marshal(members)
	if err != nil {
		return raw
	}
	return out
}

// objectMembers reads a JSON object's members; false for anything else, or an object with a key given twice
// (domain.Decode then reports it on the original bytes).
func objectMembers(raw json.RawMessage) (map[string]json.RawMessage, bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, false
	}
	members := map[string]json.RawMessage{}
	for dec.More() {
		tok, err := dec.Token()
		key, isKey := tok.(string)
		if err != nil || !isKey {
			return nil, false
		}
		var v json.RawMessage
		if _, dup := members[key]; dup || dec.Decode(&v) != nil {
			return nil, false
		}
		members[key] = v
	}
	return members, true
}

// withNoteHash sets data.note_sha256 to hash; a different hash already there is a problem.
func withNoteHash(data json.RawMessage, hash string) (json.RawMessage, string) {
	members, ok := objectMembers(data)
	if !ok {
		return data, "" // not an object: domain.Decode reports it
	}
	if given, has := members["note_sha256"]; has {
		var h string
		if json.Unmarshal(given, &h) != nil || h != hash {
			return data, "is not the SHA-256 of the note given beside the data (give the note, or only its hash)"
		}
		return data, ""
	}
	members["note_sha256"] = json.RawMessage(strconv.Quote(hash))
	out, err := json.Marshal(members)
	if err != nil {
		return data, "malformed JSON"
	}
	return out, ""
}

// saveNotes saves the request's notes for the workers their events are about, before the append. It returns
// the links it added, to discard if the append fails. A note that was erased is refused: it is not saved again.
func (s *Server) saveNotes(ctx context.Context, sub submission) ([]notes.Link, error) {
	var entries []notes.Entry
	var paths []string
	for i, text := range sub.notes {
		if text == "" {
			continue
		}
		w, ok := sub.events[i].Envelope.Event.(interface{ Worker() string })
		if !ok {
			return nil, fmt.Errorf("a note on %s, which names no worker", sub.events[i].Envelope.Type)
		}
		entries = append(entries, notes.Entry{Worker: w.Worker(), Text: text})
		paths = append(paths, joinPath(sub.paths[i], "note"))
	}
	if len(entries) == 0 {
		return nil, nil
	}
	if s.cfg.Notes == nil {
		return nil, invalidField(paths[0], "this server keeps no notes (it was started without a note store)")
	}
	saved, err := s.cfg.Notes.PutAll(ctx, entries)
	if err != nil {
		return nil, fmt.Errorf("save notes: %w", err)
	}
	if len(saved.Erased) > 0 {
		if err := s.cfg.Notes.Discard(ctx, saved.Added); err != nil {
			return nil, fmt.Errorf("discard notes: %w", err)
		}
		return nil, &problem{kind: notes.ErrErased, fields: []domain.FieldError{{Path: paths[saved.Erased[0]],
			Problem: "this note was erased; it is not saved again"}},
			message: paths[saved.Erased[0]] + ": this note was erased and is not saved again; nothing was stored"}
	}
	return saved.Added, nil
}

// discardNotes takes back the notes of a request whose events were not stored.
func (s *Server) discardNotes(ctx context.Context, added []notes.Link, cause error) error {
	if len(added) == 0 {
		return cause
	}
	if err := s.cfg.Notes.Discard(context.WithoutCancel(ctx), added); err != nil {
		return errors.Join(cause, fmt.Errorf("discard notes: %w", err))
	}
	return cause
}
