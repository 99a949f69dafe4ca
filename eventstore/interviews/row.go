package interviews

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore/notes"
)

// row turns one row into a finding, or lists its bad cells.
func (p *rowParser) row(row []string, n int) (Finding, Problems) {
	var probs Problems
	at, bad := p.occurredAt(row, n)
	if bad != nil {
		probs = append(probs, *bad)
	}
	e := p.report(row)
	if e.Channel == domain.ChannelWorkerLink {
		probs = append(probs, p.cellProblem(n, colChannel, "worker_link is for reports made through the worker's own "+
			"link; a sheet records interview, exit_interview, worker_organisation, hotline or other"))
	}
	note := p.noteCell(row)
	if note != "" {
		if err := notes.Validate(note); err != nil {
			probs = append(probs, p.cellProblem(n, colNote, notes.Problem(err)))
		} else {
			e.NoteSHA256 = notes.Hash(note)
		}
	}
	sum := p.derive(row, e, at)
	if e.ReportID == "" {
		e.ReportID = "interview-" + hex.EncodeToString(sum[:8])
	}
	probs = append(probs, p.validate(e, n)...)
	if len(probs) > 0 {
		return Finding{}, probs
	}
	env := domain.Envelope{EventID: eventID(sum), Type: domain.TypeWorkerReported, OccurredAt: at, Event: e}
	return Finding{Row: n, Note: note, Env: env, workerColumn: p.h.letter(colWorker)}, nil
}

// noteCell is the row's note as written, spaces and all (its hash is of the exact bytes); "" for a blank cell.
func (p *rowParser) noteCell(row []string) string {
	i, ok := p.h.at[colNote]
	if !ok || i >= len(row) || strings.TrimSpace(row[i]) == "" {
		return ""
	}
	return row[i]
}

// validate checks the event as the catalogue does, naming each problem by its column.
func (p *rowParser) validate(e *domain.WorkerReported, n int) Problems {
	err := domain.Validate(e)
	var ve *domain.ValidationError
	if !errors.As(err, &ve) {
		return nil
	}
	var probs Problems
	for _, f := range ve.Fields {
		col, ok := fieldColumns[f.Path]
		switch {
		case !ok:
			probs = append(probs, Problem{Row: n, Problem: f.Path + ": " + f.Problem})
		case col == colLanguage && e.Language == "":
			probs = append(probs, p.cellProblem(n, col, "required: an ISO 639-1 code such as ne (or give --language for the whole sheet)"))
		case !p.h.has(col):
			probs = append(probs, Problem{Row: n, Problem: col + ": " + f.Problem + " (the sheet has no " + col + " column)"})
		default:
			probs = append(probs, p.cellProblem(n, col, f.Problem))
		}
	}
	return probs
}

// derive fingerprints a row by what it records (every column, with the defaults applied) and by how many
// identical rows came before it, so that importing the sheet again derives the same ids and adds nothing.
func (p *rowParser) derive(row []string, e *domain.WorkerReported, at time.Time) [32]byte {
	var b strings.Builder
	b.WriteString("fairtrail interview finding\x00")
	for _, col := range Columns {
		v := p.h.cell(row, col)
		switch col {
		case colChannel:
			v = e.Channel
		case colLanguage:
			v = e.Language
		case colDate:
			v = at.Format(time.RFC3339Nano)
		case colNote:
			v = e.NoteSHA256
		}
		b.WriteString(v)
		b.WriteByte(0x1f)
	}
	key := b.String()
	p.seen[key]++
	return sha256.Sum256([]byte(key + strconv.Itoa(p.seen[key])))
}

// eventID is a UUID (version 8, RFC 9562's custom layout) from a row's fingerprint.
func eventID(sum [32]byte) domain.EventID {
	var id domain.EventID
	copy(id[:], sum[16:32])
	id[6] = id[6]&0x0f | 0x80
	id[8] = id[8]&0x3f | 0x80
	return id
}
