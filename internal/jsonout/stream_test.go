package jsonout

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/gto-dev/gto/model"
)

// TestWriteHistoryMatchesEncode checks that the streaming writer prints
// exactly what encoding the History document prints.
func TestWriteHistoryMatchesEncode(t *testing.T) {
	zone := time.FixedZone("", 5*3600+30*60)
	messages := []string{
		"plain", "Déploiement ✓ \"quoted\"", "tab\tnew\nline\r\\back", "\b\f\x01\x1f\x7f",
		"emoji 🚀 and 中文", "\u2028\u2029", "invalid \xff utf8", "",
	}
	var events []*model.Event
	for i, m := range messages {
		e := &model.Event{Kind: model.KindAssignment, Artifact: "m", Version: "v1.0.0", Stage: "prod",
			Tag: "m#prod#1", Time: time.Unix(1640995200+int64(i), 0).In(zone), Author: "Tom Tagger",
			AuthorEmail: "tom@example.com", Message: m, Commit: "abc"}
		if i%3 == 1 {
			e.Kind, e.Stage, e.Tag = model.KindCommit, "", ""
		}
		if i%3 == 2 {
			e.Kind, e.Version, e.Stage = model.KindDeprecation, "", ""
		}
		events = append(events, e)
	}
	events = append(events, &model.Event{Kind: model.KindCommit, Artifact: "no-time", Commit: "def"})
	// Several chunks, rendered concurrently, come out in order.
	var many []*model.Event
	for len(many) < 3*historyChunk+7 {
		many = append(many, events...)
	}
	for _, list := range [][]*model.Event{nil, events[:1], events, many[:2*historyChunk], many} {
		var want, got bytes.Buffer
		if err := Encode(&want, History(list)); err != nil {
			t.Fatal(err)
		}
		if err := WriteHistory(&got, list); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("WriteHistory:\n%s\nEncode:\n%s", got.String(), want.String())
		}
	}
}

type failingWriter struct{ writes int }

func (w *failingWriter) Write(p []byte) (int, error) {
	w.writes++
	if w.writes == 2 {
		return 0, errors.New("disk full")
	}
	return len(p), nil
}

// A write error stops WriteHistory and is returned.
func TestWriteHistoryWriteError(t *testing.T) {
	events := make([]*model.Event, 5*historyChunk)
	for i := range events {
		events[i] = &model.Event{Kind: model.KindCommit, Artifact: "m", Commit: "c"}
	}
	w := &failingWriter{}
	if err := WriteHistory(w, events); err == nil || err.Error() != "disk full" {
		t.Fatalf("WriteHistory = %v, want the write error", err)
	}
	if w.writes != 2 {
		t.Errorf("%d writes after the error, want none", w.writes-2)
	}
}

// A history of one chunk, rendered in place, returns the write error too.
func TestWriteHistoryOneChunkWriteError(t *testing.T) {
	t.Parallel()
	events := []*model.Event{{Kind: model.KindCommit, Artifact: "m", Commit: "c"}}
	w := &failingWriter{writes: 1} // its next write fails
	if err := WriteHistory(w, events); err == nil || err.Error() != "disk full" {
		t.Fatalf("WriteHistory = %v, want the write error", err)
	}
}
