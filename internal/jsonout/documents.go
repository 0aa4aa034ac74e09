package jsonout

import (
	"time"

	"github.com/gto-dev/gto/annotations"
	"github.com/gto-dev/gto/model"
)

// Registry is the document of `gto show --json`: artifact name ->
// {"version": greatest registered version or null, "stage": {stage: versions
// or null}, "registered": false for annotated-only artifacts}.
func Registry(v *model.RegistryView) *Object {
	out := &Object{}
	for _, row := range v.Rows {
		stages := &Object{}
		for _, st := range v.Stages {
			stages.Set(st, joinOrNil(row.InStage[st]))
		}
		entry := &Object{}
		entry.Set("version", strOrNil(row.Latest))
		entry.Set("stage", stages)
		entry.Set("registered", row.Registered)
		out.Set(row.Artifact.Name, entry)
	}
	return out
}

func joinOrNil(versions []string) *string {
	if len(versions) == 0 {
		return nil
	}
	s := versions[0]
	for _, v := range versions[1:] {
		s += ", " + v
	}
	return &s
}

func strOrNil(s string) *string {
	return presentOrNil(s, s != "")
}

// presentOrNil is s when present (an annotation's field may be present and
// empty), else nil.
func presentOrNil(s string, present bool) *string {
	if !present {
		return nil
	}
	return &s
}

// Version is one element of `gto show NAME --json`.
type Version struct {
	Artifact        string          `json:"artifact"`
	CommitHexsha    string          `json:"commit_hexsha"`
	Version         string          `json:"version"`
	Enrichments     []*Event        `json:"enrichments"`
	Registrations   []*Event        `json:"registrations"`
	Deregistrations []*Event        `json:"deregistrations"`
	Stages          []*VersionStage `json:"stages"`
	Lifecycle
	Discovered bool `json:"discovered"`
}

// Lifecycle are the fields versions and stages take from their events:
// whether they are active, since when, and their authoring event (the
// latest registration or assignment).
type Lifecycle struct {
	IsActive    bool    `json:"is_active"`
	ActivatedAt *string `json:"activated_at"`
	CreatedAt   *string `json:"created_at"`
	Author      *string `json:"author"`
	AuthorEmail *string `json:"author_email"`
	Message     *string `json:"message"`
	Ref         *string `json:"ref"`
}

func lifecycle(active bool, activated time.Time, authoring *model.Event) Lifecycle {
	l := Lifecycle{IsActive: active, ActivatedAt: Time(activated)}
	if e := authoring; e != nil {
		ref := e.Ref()
		l.CreatedAt, l.Author, l.AuthorEmail, l.Message, l.Ref = Time(e.Time), &e.Author, &e.AuthorEmail, &e.Message, &ref
	}
	return l
}

// VersionStage is a stage of a version in `gto show NAME --json`.
type VersionStage struct {
	Artifact      string   `json:"artifact"`
	CommitHexsha  string   `json:"commit_hexsha"`
	Version       string   `json:"version"`
	Stage         string   `json:"stage"`
	Assignments   []*Event `json:"assignments"`
	Unassignments []*Event `json:"unassignments"`
	Lifecycle
}

// Event is an event as gto 0.2.4 serialises it inside versions and for
// check-ref; optional keys appear only for the kinds that have them.
type Event struct {
	Priority       *int          `json:"priority,omitempty"`
	Addition       *bool         `json:"addition,omitempty"`
	Artifact       string        `json:"artifact"`
	CreatedAt      *string       `json:"created_at"`
	Author         string        `json:"author"`
	AuthorEmail    string        `json:"author_email"`
	Message        string        `json:"message"`
	CommitHexsha   string        `json:"commit_hexsha"`
	Tag            *string       `json:"tag,omitempty"`
	Version        *string       `json:"version,omitempty"`
	Stage          *string       `json:"stage,omitempty"`
	Enrichments    *[]Enrichment `json:"enrichments,omitempty"`
	Committer      *string       `json:"committer,omitempty"`
	CommitterEmail *string       `json:"committer_email,omitempty"`
	Event          string        `json:"event,omitempty"`
}

// Enrichment is an annotation attached to a commit event.
type Enrichment struct {
	Source   string           `json:"source"`
	Artifact AnnotationFields `json:"artifact"`
}

// AnnotationFields is an annotation with every field (inside enrichments).
type AnnotationFields struct {
	Type        *string  `json:"type"`
	Path        *string  `json:"path"`
	Virtual     bool     `json:"virtual"`
	Labels      []string `json:"labels"`
	Description string   `json:"description"`
	Custom      any      `json:"custom,omitempty"`
}

// eventOptions say which bookkeeping keys an event document carries.
type eventOptions struct {
	priority bool // "priority" and "addition" (inside versions)
	kind     bool // "event" (stage events and check-ref)
}

func newEvent(e *model.Event, o eventOptions) *Event {
	out := &Event{
		Artifact:     e.Artifact,
		CreatedAt:    Time(e.Time),
		Author:       e.Author,
		AuthorEmail:  e.AuthorEmail,
		Message:      e.Message,
		CommitHexsha: e.Commit,
	}
	if o.priority {
		p, a := int(e.Kind), e.Kind.Addition()
		out.Priority, out.Addition = &p, &a
	}
	if o.kind {
		out.Event = e.Kind.String()
	}
	switch e.Kind {
	case model.KindCommit:
		v := e.Version
		out.Version = &v
		enr := []Enrichment{}
		if e.Annotation != nil {
			enr = append(enr, Enrichment{Source: "gto", Artifact: annotationFields(e.Annotation)})
		}
		out.Enrichments = &enr
		out.Committer, out.CommitterEmail = &e.Committer, &e.CommitterEmail
	case model.KindDeprecation:
		out.Tag = &e.Tag
	case model.KindRegistration, model.KindDeregistration:
		out.Tag, out.Version = &e.Tag, &e.Version
	case model.KindAssignment, model.KindUnassignment:
		out.Tag, out.Version, out.Stage = &e.Tag, &e.Version, &e.Stage
	}
	return out
}

func annotationFields(a *annotations.Artifact) AnnotationFields {
	labels := a.Labels
	if labels == nil {
		labels = []string{}
	}
	return AnnotationFields{
		Type: presentOrNil(a.Type, a.HasType()), Path: presentOrNil(a.Path, a.HasPath()), Virtual: a.Virtual,
		Labels: labels, Description: a.Description, Custom: a.Custom,
	}
}

func events(list []*model.Event, o eventOptions) []*Event {
	out := make([]*Event, 0, len(list))
	for _, e := range list {
		out = append(out, newEvent(e, o))
	}
	return out
}

// Versions is the document of `gto show NAME --json`.
func Versions(v *model.ArtifactView) []*Version {
	out := make([]*Version, 0, len(v.Versions))
	for _, row := range v.Versions {
		ver := row.Version
		doc := &Version{
			Artifact:        ver.Artifact,
			CommitHexsha:    ver.Commit,
			Version:         ver.Name,
			Enrichments:     []*Event{},
			Registrations:   events(ver.Registrations, eventOptions{priority: true}),
			Deregistrations: events(ver.Deregistrations, eventOptions{priority: true}),
			Stages:          []*VersionStage{},
			Lifecycle:       lifecycle(ver.IsActive(), ver.ActivatedAt(), ver.AuthoringEvent()),
			Discovered:      ver.Discovered(),
		}
		if ver.CommitEvent != nil {
			doc.Enrichments = append(doc.Enrichments, newEvent(ver.CommitEvent, eventOptions{priority: true}))
		}
		for _, s := range row.Stages {
			doc.Stages = append(doc.Stages, versionStage(s))
		}
		out = append(out, doc)
	}
	return out
}

func versionStage(s *model.VStage) *VersionStage {
	o := eventOptions{priority: true, kind: true}
	doc := &VersionStage{
		Artifact:      s.Artifact,
		CommitHexsha:  s.Commit,
		Version:       s.Version,
		Stage:         s.Stage,
		Assignments:   events(s.Assignments, o),
		Unassignments: events(s.Unassignments, o),
		Lifecycle:     lifecycle(s.IsActive(), s.ActivatedAt(), s.AuthoringEvent()),
	}
	return doc
}

// HistoryEntry is one element of `gto history --json`.
type HistoryEntry struct {
	Timestamp   *string `json:"timestamp"`
	Artifact    string  `json:"artifact"`
	Event       string  `json:"event"`
	Priority    int     `json:"priority"`
	Version     *string `json:"version"`
	Stage       *string `json:"stage"`
	Commit      string  `json:"commit"`
	Author      string  `json:"author"`
	AuthorEmail string  `json:"author_email"`
	Message     string  `json:"message"`
	Ref         string  `json:"ref"`
}

// History is the document of `gto history --json`.
func History(list []*model.Event) []HistoryEntry {
	out := make([]HistoryEntry, 0, len(list))
	for _, e := range list {
		out = append(out, HistoryEntry{
			Timestamp:   Time(e.Time),
			Artifact:    e.Artifact,
			Event:       e.Kind.String(),
			Priority:    int(e.Kind),
			Version:     strOrNil(e.Version),
			Stage:       strOrNil(e.Stage),
			Commit:      e.Commit,
			Author:      e.Author,
			AuthorEmail: e.AuthorEmail,
			Message:     e.Message,
			Ref:         e.Ref(),
		})
	}
	return out
}

// CheckRef is the document of `gto check-ref --json`.
func CheckRef(e *model.Event) *Event {
	return newEvent(e, eventOptions{kind: true})
}

// Annotation is the document of `gto describe`: the annotation's fields that
// differ from their defaults.
func Annotation(a *annotations.Artifact) *Object {
	out := &Object{}
	if a.HasType() {
		out.Set("type", a.Type)
	}
	if a.HasPath() {
		out.Set("path", a.Path)
	}
	if !a.Virtual {
		out.Set("virtual", false)
	}
	if len(a.Labels) > 0 {
		out.Set("labels", a.Labels)
	}
	if a.Description != "" {
		out.Set("description", a.Description)
	}
	if a.Custom != nil {
		out.Set("custom", a.Custom)
	}
	return out
}
