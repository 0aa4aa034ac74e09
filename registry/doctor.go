package registry

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/gto-dev/gto/tagname"
)

// Problem is something `gto doctor` found wrong with the registry.
type Problem struct {
	// Code identifies the kind of problem (stable, for scripts).
	Code     string   `json:"code"`
	Artifact string   `json:"artifact,omitempty"`
	Tags     []string `json:"tags,omitempty"`
	Message  string   `json:"message"`
}

// Problem codes.
const (
	ProblemLightweightTag   = "lightweight-tag"
	ProblemNotACommit       = "tag-not-on-commit"
	ProblemCreatedTag       = "created-tag"
	ProblemNoMessage        = "empty-message"
	ProblemNoTagger         = "no-tagger"
	ProblemDuplicateCounter = "duplicate-counter"
	ProblemCounterOrder     = "counter-out-of-order"
	ProblemVersionsAtCommit = "versions-at-one-commit"
	ProblemVersionCommits   = "version-at-several-commits"
	ProblemRevived          = "event-after-deprecation"
	ProblemUnknownStage     = "stage-not-allowed"
	ProblemAnnotations      = "annotations"
)

// Report is the result of Doctor.
type Report struct {
	Tags      int // GTO-format tags read
	Artifacts int
	Problems  []Problem
}

// Doctor reads the whole registry and reports what is inconsistent or
// ignored: tags gto cannot use, counters that repeat or go back in time, two
// active versions at one commit, stages outside the configuration, revivals
// after a deprecation, and annotation files that do not parse.
func (r *Registry) Doctor(ctx context.Context) (*Report, error) {
	if r.git == nil {
		return nil, r.noRepoError()
	}
	rep := &Report{}
	snap, err := r.load(ctx, scope{})
	if err != nil {
		if !strings.Contains(err.Error(), r.cfg.Index) && !strings.Contains(err.Error(), dvcFile) {
			return nil, err
		}
		rep.Problems = append(rep.Problems, Problem{Code: ProblemAnnotations, Message: err.Error()})
		if snap, err = r.load(ctx, scope{noAnnotations: true}); err != nil {
			return nil, err
		}
	}
	rep.Tags = len(snap.tags)
	rep.Artifacts = len(snap.state.Artifacts)
	rep.Problems = append(rep.Problems, tagProblems(snap.tags)...)
	rep.Problems = append(rep.Problems, counterProblems(snap.tags)...)
	rep.Problems = append(rep.Problems, stateProblems(snap.state, r.cfg.Stages)...)
	return rep, nil
}

func tagProblems(tags []TagInput) []Problem {
	var out []Problem
	for i := range tags {
		t := &tags[i]
		p := Problem{Artifact: t.Parsed.Artifact, Tags: []string{t.Name}}
		switch {
		case !t.Annotated && t.Commit != "":
			p.Code, p.Message = ProblemLightweightTag, fmt.Sprintf("tag %q is lightweight: gto ignores it (re-create it with `git tag -a`)", t.Name)
		case !t.Annotated:
			p.Code, p.Message = ProblemNotACommit, fmt.Sprintf("tag %q does not point at a commit: gto ignores it", t.Name)
		case t.Commit == "":
			p.Code, p.Message = ProblemNotACommit, fmt.Sprintf("tag %q points at a tree or a blob, not a commit: gto ignores it", t.Name)
		case t.Parsed.Action == tagname.ActionCreate:
			p.Code, p.Message = ProblemCreatedTag, fmt.Sprintf("tag %q has no meaning for gto and is ignored", t.Name)
		case t.NoTagger:
			p.Code, p.Message = ProblemNoTagger, fmt.Sprintf("tag %q has no tagger: its time and author are unknown", t.Name)
		case strings.TrimSpace(t.Message) == "":
			p.Code, p.Message = ProblemNoMessage, fmt.Sprintf("tag %q has an empty message", t.Name)
		default:
			continue
		}
		out = append(out, p)
	}
	return out
}

// counterProblems finds counters used twice in one artifact, and counters
// whose tags go backwards in time (clock drift or a hand-made tag).
func counterProblems(tags []TagInput) []Problem {
	byArtifact := map[string][]*TagInput{}
	for i := range tags {
		if tags[i].Parsed.Counter > 0 && tags[i].IsEvent() {
			byArtifact[tags[i].Parsed.Artifact] = append(byArtifact[tags[i].Parsed.Artifact], &tags[i])
		}
	}
	var out []Problem
	for _, name := range sortedKeys(byArtifact) {
		list := byArtifact[name]
		sort.SliceStable(list, func(i, j int) bool { return list[i].Parsed.Counter < list[j].Parsed.Counter })
		for i := 1; i < len(list); i++ {
			prev, cur := list[i-1], list[i]
			if prev.Parsed.Counter == cur.Parsed.Counter {
				out = append(out, Problem{Code: ProblemDuplicateCounter, Artifact: name, Tags: []string{prev.Name, cur.Name},
					Message: fmt.Sprintf("tags %q and %q of artifact %q share counter #%d", prev.Name, cur.Name, name, cur.Parsed.Counter)})
			} else if cur.Time.Before(prev.Time) {
				out = append(out, Problem{Code: ProblemCounterOrder, Artifact: name, Tags: []string{prev.Name, cur.Name},
					Message: fmt.Sprintf("tag %q (#%d) is dated before %q (#%d): clocks drifted or a tag was made by hand", cur.Name, cur.Parsed.Counter, prev.Name, prev.Parsed.Counter)})
			}
		}
	}
	return out
}

func stateProblems(s *State, allowed []string) []Problem {
	var out []Problem
	allowedSet := map[string]bool{}
	for _, st := range allowed {
		allowedSet[st] = true
	}
	for _, a := range s.Artifacts {
		byName := map[string][]*Version{}
		for _, v := range a.Versions {
			if !v.Discovered() {
				byName[v.Name] = append(byName[v.Name], v)
			}
			for _, vs := range v.Stages {
				if allowed != nil && !allowedSet[vs.Stage] && vs.IsActive() {
					out = append(out, Problem{Code: ProblemUnknownStage, Artifact: a.Name, Tags: eventTags(vs.Assignments),
						Message: fmt.Sprintf("version %s of artifact %q is in stage %q, which the configuration does not allow", v.Name, a.Name, vs.Stage)})
				}
			}
		}
		for _, name := range sortedKeys(byName) {
			if vs := byName[name]; len(vs) > 1 {
				out = append(out, Problem{Code: ProblemVersionCommits, Artifact: a.Name,
					Message: fmt.Sprintf("version %s of artifact %q is registered at %d commits", name, a.Name, len(vs))})
			}
		}
		for _, commit := range sortedKeys(a.byCommit) {
			var active []string
			for _, v := range a.byCommit[commit] {
				if v.IsActive() {
					active = append(active, v.Name)
				}
			}
			if len(active) > 1 {
				out = append(out, Problem{Code: ProblemVersionsAtCommit, Artifact: a.Name,
					Message: fmt.Sprintf("commit %.7s holds %d active versions of artifact %q: %s", commit, len(active), a.Name, strings.Join(active, ", "))})
			}
		}
		if dep := latest(a.Deprecations); dep != nil {
			if last := a.LatestEvent(); last != nil && last != dep && last.Kind != KindCommit {
				out = append(out, Problem{Code: ProblemRevived, Artifact: a.Name, Tags: []string{dep.Tag, last.Tag},
					Message: fmt.Sprintf("artifact %q was deprecated by %q but %q came later and revived it", a.Name, dep.Tag, last.Tag)})
			}
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
