package model

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/gto-dev/gto/annotations"
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

// AdvicePackRefs is the code of doctor's advice to pack the tags: many of
// them are loose ref files (PackRefsAdvice).
const AdvicePackRefs = "pack-refs"

// PackRefsThreshold is the number of loose tags from which doctor advises
// packing them. A command that reads every tag makes git open and read
// each loose ref file: measured on 50,000 tags (bench/RESULTS.md,
// "Start-up and loose refs"), about 8 µs a loose tag more than a packed
// one, so 1,000 loose tags add some 8 ms to every such command, as much
// as the rest of a command on a small registry.
const PackRefsThreshold = 1000

// PackRefsAdvice is doctor's advice for a repository with loose tags (their count):
// none below PackRefsThreshold.
func PackRefsAdvice(loose int) []Problem {
	if loose < PackRefsThreshold {
		return nil
	}
	return []Problem{{Code: AdvicePackRefs, Message: fmt.Sprintf(
		"%d tags are loose ref files, one file each: packing them with \"git pack-refs\" would make every command that reads all tags faster", loose)}}
}

// Problem codes.
const (
	ProblemConfig           = "config"            // .gto or a GTO_* variable is malformed
	ProblemAnnotations      = "annotations"       // artifacts.yaml or dvc.yaml at HEAD does not parse
	ProblemLightweightTag   = "lightweight-tag"   // a tag in GTO format is not annotated
	ProblemNotACommit       = "tag-not-on-commit" // a tag in GTO format points at a tree or a blob
	ProblemMalformedTag     = "malformed-tag"     // a tag object that cannot be parsed
	ProblemMissingObject    = "missing-object"    // a tag ref naming an object the repository lacks
	ProblemCreatedTag       = "created-tag"       // NAME@created: parsed, never an event
	ProblemNoTagger         = "no-tagger"         // a tag object without tagger line
	ProblemBadDate          = "bad-date"          // a tagger date gto cannot read (out of range, malformed)
	ProblemMissingCommit    = "missing-commit"    // an event tag on a commit the repository lacks
	ProblemNoMessage        = "empty-message"     // an annotated tag with an empty message
	ProblemUnsigned         = "unsigned-tag"      // --verify: a GTO tag without signature
	ProblemBadSignature     = "bad-signature"     // --verify: a signature git cannot verify
	ProblemDuplicateCounter = "duplicate-counter" // two tags of one artifact share a counter
	ProblemCounterOrder     = "counter-out-of-order"
	ProblemVersionsAtCommit = "versions-at-one-commit"     // two active versions of one artifact at one commit
	ProblemVersionCommits   = "version-at-several-commits" // one version name registered at two commits
	ProblemRevived          = "event-after-deprecation"
	ProblemUnknownStage     = "stage-not-allowed"
	ProblemUnknownType      = "type-not-allowed"
)

// TypeProblems reports artifacts annotated (index, at HEAD) with a type
// the configuration does not allow (allowed; nil allows any).
func TypeProblems(index *annotations.Index, allowed []string) []Problem {
	if index == nil || allowed == nil {
		return nil
	}
	var out []Problem
	for _, name := range index.Names() {
		a, _ := index.Get(name)
		if a.Type != "" && !slices.Contains(allowed, a.Type) {
			out = append(out, Problem{Code: ProblemUnknownType, Artifact: name,
				Message: fmt.Sprintf("artifact %q is annotated with type %q, which the configuration does not allow", name, a.Type)})
		}
	}
	return out
}

// TagProblems reports the tags in GTO format that are no event, or a
// doubtful one: malformed or missing objects, lightweight tags, tags not on
// a commit, NAME@created, tags without tagger or message.
func TagProblems(tags []TagInput) []Problem {
	var out []Problem
	for i := range tags {
		t := &tags[i]
		p := Problem{Artifact: t.Parsed.Artifact, Tags: []string{t.Name}}
		switch {
		case t.Malformed:
			p.Code, p.Message = ProblemMalformedTag, fmt.Sprintf("tag %q is a malformed tag object: gto ignores it", t.Name)
		case t.Missing:
			p.Code, p.Message = ProblemMissingObject, fmt.Sprintf("tag %q names an object that is not in the repository (a damaged object store, see `git fsck`): gto ignores it", t.Name)
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
		case t.Time.IsZero():
			p.Code, p.Message = ProblemBadDate, fmt.Sprintf("tag %q has a tagger date gto cannot read: its time is unknown (shown as none)", t.Name)
		case strings.TrimSpace(t.Message) == "":
			p.Code, p.Message = ProblemNoMessage, fmt.Sprintf("tag %q has an empty message", t.Name)
		default:
			continue
		}
		out = append(out, p)
	}
	return out
}

// MissingCommitProblems reports the event tags on a commit the repository
// lacks (has tells which it has): a shallow or damaged clone shows such a
// version without its commit event.
func MissingCommitProblems(tags []TagInput, has func(commit string) bool) []Problem {
	var out []Problem
	for i := range tags {
		if t := &tags[i]; t.IsEvent() && !has(t.Commit) {
			out = append(out, Problem{Code: ProblemMissingCommit, Artifact: t.Parsed.Artifact, Tags: []string{t.Name},
				Message: fmt.Sprintf("tag %q is on commit %.7s, which is not in the repository (a shallow or damaged clone): its version has no commit event", t.Name, t.Commit)})
		}
	}
	return out
}

// CounterProblems finds counters used twice in one artifact, and counters
// whose tags go backwards in time (clock drift or a hand-made tag).
func CounterProblems(tags []TagInput) []Problem {
	byArtifact := map[string][]*TagInput{}
	for i := range tags {
		if tags[i].Parsed.Counter > 0 && tags[i].IsEvent() {
			byArtifact[tags[i].Parsed.Artifact] = append(byArtifact[tags[i].Parsed.Artifact], &tags[i])
		}
	}
	var out []Problem
	for _, name := range slices.Sorted(maps.Keys(byArtifact)) {
		list := byArtifact[name]
		sort.SliceStable(list, func(i, j int) bool { return list[i].Parsed.Counter < list[j].Parsed.Counter })
		for i := 1; i < len(list); i++ {
			prev, cur := list[i-1], list[i]
			if prev.Parsed.Counter == cur.Parsed.Counter {
				out = append(out, Problem{Code: ProblemDuplicateCounter, Artifact: name, Tags: []string{prev.Name, cur.Name},
					Message: fmt.Sprintf("tags %q and %q of artifact %q share counter #%d", prev.Name, cur.Name, name, cur.Parsed.Counter)})
			} else if cur.Time.Unix() < prev.Time.Unix() {
				out = append(out, Problem{Code: ProblemCounterOrder, Artifact: name, Tags: []string{prev.Name, cur.Name},
					Message: fmt.Sprintf("tag %q (#%d) is dated before %q (#%d): clocks drifted or a tag was made by hand", cur.Name, cur.Parsed.Counter, prev.Name, prev.Parsed.Counter)})
			}
		}
	}
	return out
}

// StateProblems reports what the state holds that the rules forbid: stages
// the configuration does not allow (allowed; nil allows any), a version
// name at several commits, several active versions at one commit, and
// events after a deprecation.
func StateProblems(s *State, allowed []string) []Problem {
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
					out = append(out, Problem{Code: ProblemUnknownStage, Artifact: a.Name, Tags: EventTags(vs.Assignments),
						Message: fmt.Sprintf("version %s of artifact %q is in stage %q, which the configuration does not allow", v.Name, a.Name, vs.Stage)})
				}
			}
		}
		for _, name := range slices.Sorted(maps.Keys(byName)) {
			if vs := byName[name]; len(vs) > 1 {
				out = append(out, Problem{Code: ProblemVersionCommits, Artifact: a.Name,
					Message: fmt.Sprintf("version %s of artifact %q is registered at %d commits", name, a.Name, len(vs))})
			}
		}
		for _, commit := range slices.Sorted(maps.Keys(a.byCommit)) {
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
