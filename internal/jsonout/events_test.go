package jsonout

import (
	"testing"
	"time"

	"github.com/gto-dev/gto/model"
	"github.com/gto-dev/gto/registry"
)

func TestAppendEventLineMatchesLine(t *testing.T) {
	t.Parallel()
	at := time.Date(2022, 1, 1, 1, 0, 0, 0, time.FixedZone("", 3600))
	for _, e := range []registry.Event{
		{ID: "1", Cursor: "c1.x", Kind: "assignment", Tag: "m#prod#1", Object: "ab", Artifact: "m", Version: "v1.0.0", Stage: "prod", Time: at,
			Event: &model.Event{Commit: "cd", Author: "Zoë \"Z\" <\\>", AuthorEmail: "z@x", Message: "line\n\ttab \x01 \x7f € 😀 \b\f\r"}},
		{ID: "2", Cursor: "0", Kind: "deleted", Tag: "m@v1.0.0", Object: "ef", Artifact: "m", Version: "v1.0.0"},
		{ID: "3", Kind: "registration", Tag: "n@v1.0.0", Artifact: "n", Time: at, Event: &model.Event{}},
	} {
		want, err := Line(NewEventLine(&e))
		if err != nil {
			t.Fatal(err)
		}
		if got := AppendEventLine([]byte{}, &e); string(got) != string(want) {
			t.Errorf("AppendEventLine:\n%s\nLine:\n%s", got, want)
		}
	}
}
