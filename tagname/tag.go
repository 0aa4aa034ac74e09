package tagname

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gto-dev/gto/semver"
)

// Tag is one GTO tag name, decomposed. Exactly the fields its Action uses are set.
type Tag struct {
	Artifact string // artifact name in NAME form (namespace with ":"), e.g. "dir/sub:model"
	Action   Action
	Version  string // "v1.2.3" for register/deregister, else ""
	Stage    string // for assign/unassign, else ""
	Counter  int    // the "#N" suffix; 0 when absent
}

// Cancels reports whether the tag undoes an earlier event: a deregistration or an
// unassignment.
func (t Tag) Cancels() bool {
	return t.Action == ActionDeregister || t.Action == ActionUnassign
}

// Parse decomposes a tag name (without "refs/tags/"). It reports false for any name
// outside the GTO grammar, which callers ignore silently: repositories hold other tags.
//
// Beyond the grammar, Parse also rejects names git would refuse (CheckRefFormat), so
// that every parsed Tag can be formatted again. A counter is any run of ASCII digits
// ("#007" is 7) that fits in an int; "#0" is indistinguishable from no counter.
//
// Parse allocates only to convert a namespace separator ("=" to ":").
func Parse(tag string) (Tag, bool) {
	// Neither artifact names nor namespaces contain "@" or "#", so the first of them
	// ends the artifact; likewise versions and stages contain no "#", so the next "#"
	// starts the counter. The grammar is therefore unambiguous without backtracking.
	i := strings.IndexAny(tag, "@#")
	if i <= 0 || !validArtifactInTag(tag[:i]) {
		return Tag{}, false
	}
	var t Tag
	body, counter, hasCounter := strings.Cut(tag[i+1:], "#")
	if hasCounter {
		n, ok := parseCounter(counter)
		if !ok {
			return Tag{}, false
		}
		t.Counter = n
	}
	value, cancel := strings.CutSuffix(body, "!")
	switch {
	case tag[i] == '#':
		if !validName(value) {
			return Tag{}, false
		}
		t.Action, t.Stage = ActionAssign, value
		if cancel {
			t.Action = ActionUnassign
		}
	case body == "deprecated":
		t.Action = ActionDeprecate
	case body == "created":
		t.Action = ActionCreate
	default:
		if !semver.IsValid(value) {
			return Tag{}, false
		}
		t.Action, t.Version = ActionRegister, value
		if cancel {
			t.Action = ActionDeregister
		}
	}
	if refProblem(tag) != "" {
		return Tag{}, false
	}
	if hasCounter && t.Counter == 0 && refProblem(tag[:len(tag)-len(counter)-1]) != "" {
		// "#0" formats as no counter: what remains must be a valid ref too.
		return Tag{}, false
	}
	t.Artifact = ArtifactFromTag(tag[:i])
	return t, true
}

// parseCounter parses a non-empty run of ASCII digits that fits in an int.
func parseCounter(s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		d := int(c - '0')
		if n > (maxInt-d)/10 {
			return 0, false // larger than any counter gto could write or count past
		}
		n = n*10 + d
	}
	return n, true
}

const maxInt = int(^uint(0) >> 1)

// Format is the inverse of Parse: it writes the tag name for t, e.g.
// Tag{Artifact: "dir:m", Action: ActionAssign, Stage: "prod", Counter: 3} gives
// "dir=m#prod#3". Counter 0 writes no "#N" suffix.
//
// It returns an error, and no name, unless every part is valid: the artifact name
// (ValidateArtifactName), the version for register/deregister (semver), the stage for
// assign/unassign (ValidateName), a non-negative counter, no field the action does not
// use, and a result git accepts (CheckRefFormat; e.g. "m@v1.0.0+b.lock" is refused).
// ActionCreate is formatted as "A@created" so that Format inverts Parse, though gto
// never writes such a tag.
func Format(t Tag) (string, error) {
	if err := ValidateArtifactName(t.Artifact); err != nil {
		return "", err
	}
	if t.Counter < 0 {
		return "", fmt.Errorf("invalid counter %d for a tag of artifact %q: counters are not negative", t.Counter, t.Artifact)
	}
	usesVersion := t.Action == ActionRegister || t.Action == ActionDeregister
	usesStage := t.Action == ActionAssign || t.Action == ActionUnassign
	if t.Action < ActionRegister || t.Action > ActionCreate {
		return "", fmt.Errorf("cannot write a tag for artifact %q: unknown action %s", t.Artifact, t.Action)
	}
	if !usesVersion && t.Version != "" {
		return "", fmt.Errorf("cannot write a tag for artifact %q: action %s takes no version, got %q", t.Artifact, t.Action, t.Version)
	}
	if !usesStage && t.Stage != "" {
		return "", fmt.Errorf("cannot write a tag for artifact %q: action %s takes no stage, got %q", t.Artifact, t.Action, t.Stage)
	}

	var b strings.Builder
	b.Grow(len(t.Artifact) + len(t.Version) + len(t.Stage) + len("@deprecated!#") + 20)
	b.WriteString(ArtifactToTag(t.Artifact))
	switch {
	case usesVersion:
		if _, err := semver.Parse(t.Version); err != nil {
			return "", err
		}
		b.WriteString("@")
		b.WriteString(t.Version)
	case usesStage:
		if err := ValidateName("stage", t.Stage); err != nil {
			return "", err
		}
		b.WriteString("#")
		b.WriteString(t.Stage)
	case t.Action == ActionDeprecate:
		b.WriteString("@deprecated")
	default: // ActionCreate
		b.WriteString("@created")
	}
	if t.Cancels() {
		b.WriteString("!")
	}
	if t.Counter > 0 {
		b.WriteString("#")
		b.WriteString(strconv.Itoa(t.Counter))
	}
	name := b.String()
	if err := CheckRefFormat(name); err != nil {
		return "", err
	}
	return name, nil
}
