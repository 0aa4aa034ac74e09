package jsonout

import (
	"time"

	"github.com/gto-dev/gto/model"
	"github.com/gto-dev/gto/registry"
)

// EventLine is one line of `gto events` (NDJSON), and what `gto watch
// --exec` gives its command on stdin. Deleted events have no commit,
// author or message.
type EventLine struct {
	ID          string  `json:"id"`
	Cursor      string  `json:"cursor"`
	Event       string  `json:"event"`
	Timestamp   *string `json:"timestamp"`
	Artifact    string  `json:"artifact"`
	Version     *string `json:"version"`
	Stage       *string `json:"stage"`
	Ref         string  `json:"ref"`
	Object      string  `json:"object"`
	Commit      string  `json:"commit,omitempty"`
	Author      string  `json:"author,omitempty"`
	AuthorEmail string  `json:"author_email,omitempty"`
	Message     string  `json:"message,omitempty"`
}

// NewEventLine is the line of e.
func NewEventLine(e *registry.Event) *EventLine {
	out := &EventLine{ID: e.ID, Cursor: e.Cursor, Event: e.Kind, Timestamp: Time(e.Time), Artifact: e.Artifact,
		Version: strOrNil(e.Version), Stage: strOrNil(e.Stage), Ref: e.Tag, Object: e.Object}
	if me := e.Event; me != nil {
		out.Commit, out.Author, out.AuthorEmail, out.Message = me.Commit, me.Author, me.AuthorEmail, me.Message
	}
	return out
}

// CloudEvent is an event of the stream as a CloudEvents 1.0 event in JSON
// (structured mode): type dev.gto.<event>, the tag as subject, the event
// as `gto history --json` prints it as data, and the stream's cursor in
// the extension attribute gtocursor.
type CloudEvent struct {
	SpecVersion     string `json:"specversion"`
	ID              string `json:"id"`
	Source          string `json:"source"`
	Type            string `json:"type"`
	Subject         string `json:"subject"`
	Time            string `json:"time,omitempty"`
	DataContentType string `json:"datacontenttype"`
	Cursor          string `json:"gtocursor"`
	Data            any    `json:"data"`
}

// deletedData is the data of a deleted event.
type deletedData struct {
	Timestamp *string `json:"timestamp"`
	Artifact  string  `json:"artifact"`
	Event     string  `json:"event"`
	Version   *string `json:"version"`
	Stage     *string `json:"stage"`
	Ref       string  `json:"ref"`
	Object    string  `json:"object"`
}

// NewCloudEvent is e from the repository source as a CloudEvent.
func NewCloudEvent(e *registry.Event, source string) *CloudEvent {
	out := &CloudEvent{SpecVersion: "1.0", ID: e.ID, Source: source, Type: "dev.gto." + e.Kind, Subject: e.Tag,
		DataContentType: "application/json", Cursor: e.Cursor}
	if t := Time(e.Time); t != nil {
		out.Time = *t
	}
	if e.Event != nil {
		out.Data = History([]*model.Event{e.Event})[0]
	} else {
		out.Data = deletedData{Timestamp: Time(e.Time), Artifact: e.Artifact, Event: e.Kind,
			Version: strOrNil(e.Version), Stage: strOrNil(e.Stage), Ref: e.Tag, Object: e.Object}
	}
	return out
}

// Line is v as one line of JSON (NDJSON, a webhook body): compact, with
// non-ASCII characters escaped as Encode does, and a newline.
func Line(v any) ([]byte, error) {
	b, err := marshalNoHTML(v)
	if err != nil {
		return nil, err
	}
	return append(asciiEscape(b), '\n'), nil
}

// AppendEventLine appends the line of e (what Line(NewEventLine(e))
// gives) without reflection: gto events prints 50,000 of them.
func AppendEventLine(buf []byte, e *registry.Event) []byte {
	field := func(key string) {
		if buf[len(buf)-1] != '{' {
			buf = append(buf, ',')
		}
		buf = append(buf, '"')
		buf = append(buf, key...)
		buf = append(buf, '"', ':')
	}
	buf = append(buf, '{')
	field("id")
	buf = appendQuoted(buf, e.ID)
	field("cursor")
	buf = appendQuoted(buf, e.Cursor)
	field("event")
	buf = appendQuoted(buf, e.Kind)
	field("timestamp")
	buf = appendTime(buf, e.Time)
	field("artifact")
	buf = appendQuoted(buf, e.Artifact)
	field("version")
	buf = appendNullable(buf, strOrNil(e.Version))
	field("stage")
	buf = appendNullable(buf, strOrNil(e.Stage))
	field("ref")
	buf = appendQuoted(buf, e.Tag)
	field("object")
	buf = appendQuoted(buf, e.Object)
	if me := e.Event; me != nil {
		for _, kv := range [][2]string{{"commit", me.Commit}, {"author", me.Author}, {"author_email", me.AuthorEmail}, {"message", me.Message}} {
			if kv[1] != "" {
				field(kv[0])
				buf = appendQuoted(buf, kv[1])
			}
		}
	}
	return append(buf, '}', '\n')
}

// appendTime appends t as Time formats it (null for the zero time).
func appendTime(buf []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(buf, "null"...)
	}
	buf = append(buf, '"')
	buf = t.AppendFormat(buf, TimeLayout)
	return append(buf, '"')
}
