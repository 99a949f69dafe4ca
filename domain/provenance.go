package domain

import (
	"strconv"
	"strings"
)

// Recorders that are not an organisation's API key: recorded_by values the tracker itself writes.
const (
	// RecordedByWorker is the recorded_by of a report made through the worker's own access link (spec section 8).
	// Only that path writes it: no API key may record as "worker".
	RecordedByWorker = "worker"
	// RecordedByImport is the recorded_by of events loaded with the command line's import.
	RecordedByImport = "import"
	// InterviewPrefix starts the recorded_by of a fact an auditor's worker interview established:
	// "interview:<auditor org id>".
	InterviewPrefix = "interview:"
)

// RecordedByInterview is the recorded_by of a fact (FeePaid, DocumentRetained, ContractSigned) that the
// auditor's interview with the worker established: "interview:aud-1". It keeps the provenance with the event,
// covered by its log leaf.
func RecordedByInterview(auditor string) string { return InterviewPrefix + auditor }

// InterviewBy returns the auditor of an interview's recorded_by, and false for another recorder.
func InterviewBy(recordedBy string) (string, bool) {
	org, ok := strings.CutPrefix(recordedBy, InterviewPrefix)
	return org, ok && org != ""
}

// ReservedRecorder reports whether an organisation id may not speak for itself through an API key, because
// recorded_by written under it would read as a recorder that is not an organisation: "worker", "import", or an
// id starting with "interview:".
func ReservedRecorder(org string) bool {
	return org == RecordedByWorker || org == RecordedByImport || strings.HasPrefix(org, InterviewPrefix)
}

// CheckRecordedBy validates a recorded_by: "worker", "import", an organisation id, or "interview:" and the
// auditor's organisation id. The error is a *ValidationError naming recorded_by.
func CheckRecordedBy(s string) error {
	c := newChecker("")
	switch org, ok := strings.CutPrefix(s, InterviewPrefix); {
	case ok:
		if ReservedRecorder(org) {
			c.fail("recorded_by", "an interview is recorded by an auditor's organisation id, not "+strconv.Quote(org))
		} else {
			c.id("recorded_by", org)
		}
	default:
		c.id("recorded_by", s)
	}
	return c.err()
}

// CheckRecorder checks that an event may be recorded by recordedBy (spec section 8): a report through the
// worker's own link (channel worker_link) is recorded by "worker" and by nothing else, and "worker" records
// nothing but such reports. The error is a *ValidationError naming data.channel or recorded_by.
func CheckRecorder(e Event, recordedBy string) error {
	r, isReport := e.(*WorkerReported)
	link := isReport && r.Channel == ChannelWorkerLink
	switch {
	case link && recordedBy != RecordedByWorker:
		return invalid("data.channel", "a worker_link report is recorded through the worker's own access link "+
			"(recorded_by worker), not by "+strconv.Quote(recordedBy))
	case !link && recordedBy == RecordedByWorker:
		return invalid("recorded_by", "the worker's own link records only WorkerReported with channel worker_link")
	}
	return nil
}
