package domain_test

import (
	"strings"
	"testing"

	"github.com/fairtrail/fairtrail/domain"
)

func TestCheckRecordedBy(t *testing.T) {
	tests := []struct {
		name, recordedBy, problem string
	}{
		{"an organisation", "aud-1", ""},
		{"the worker's own link", "worker", ""},
		{"the command line's import", "import", ""},
		{"an auditor's interview", "interview:aud-1", ""},
		{"empty", "", "required"},
		{"an interview naming nobody", "interview:", "required"},
		{"an interview of an interview", "interview:interview:aud-1", "not \"interview:aud-1\""},
		{"an interview by the worker", "interview:worker", "not \"worker\""},
		{"an organisation id with a space", "aud 1", "must be letters, digits"},
		{"an interview with a slash", "interview:aud/1", "must be letters, digits"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := domain.CheckRecordedBy(tc.recordedBy)
			if tc.problem == "" {
				if err != nil {
					t.Fatalf("CheckRecordedBy(%q) = %v", tc.recordedBy, err)
				}
				return
			}
			assertFieldError(t, err, "recorded_by", tc.problem)
		})
	}
}

func TestInterviewProvenance(t *testing.T) {
	rb := domain.RecordedByInterview("aud-1")
	if org, ok := domain.InterviewBy(rb); !ok || org != "aud-1" || !strings.HasPrefix(rb, domain.InterviewPrefix) {
		t.Errorf("InterviewBy(%q) = %q, %v", rb, org, ok)
	}
	for _, rb := range []string{"aud-1", "interview:", "worker"} {
		if _, ok := domain.InterviewBy(rb); ok {
			t.Errorf("InterviewBy(%q) names an auditor", rb)
		}
	}
	for org, reserved := range map[string]bool{"worker": true, "import": true, "interview:x": true, "aud-1": false,
		"workers": false} {
		if got := domain.ReservedRecorder(org); got != reserved {
			t.Errorf("ReservedRecorder(%q) = %v, want %v", org, got, reserved)
		}
	}
}

func TestCheckRecorder(t *testing.T) {
	link := &domain.WorkerReported{WorkerID: "w1", ReportID: "r1", Kind: domain.ReportThreat,
		Channel: domain.ChannelWorkerLink, Language: "ne"}
	interview := *link
	interview.Channel = domain.ChannelInterview
	tests := []struct {
		name       string
		event      domain.Event
		recordedBy string
		path       string // "" when allowed
	}{
		{"the worker's link records its report", link, domain.RecordedByWorker, ""},
		{"an auditor records an interview report", &interview, "aud-1", ""},
		{"an organisation records a worker_link report", link, "union-1", "data.channel"},
		{"an import records a worker_link report", link, domain.RecordedByImport, "data.channel"},
		{"the worker's link records an interview report", &interview, domain.RecordedByWorker, "recorded_by"},
		{"the worker's link records a fee", &domain.FeePaid{WorkerID: "w1"}, domain.RecordedByWorker, "recorded_by"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := domain.CheckRecorder(tc.event, tc.recordedBy)
			if tc.path == "" {
				if err != nil {
					t.Fatalf("CheckRecorder = %v", err)
				}
				return
			}
			assertFieldError(t, err, tc.path, "")
		})
	}
}
