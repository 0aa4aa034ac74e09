package tagname

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The reference grammar, transcribed from GTO 1.9.0's gto/constants.py (tag_re,
// fullname_re, shortcut_re). It is an oracle for the fuzz tests only: the package
// itself must not run a large regexp on every tag.
const (
	refName   = `[a-zA-Z0-9](?:[a-zA-Z0-9_/\-]*[a-zA-Z0-9])?`
	refDir    = `[a-zA-Z0-9_./\-]+`
	refSemver = `(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)` +
		`(?:-(?:(?:0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*))*))?` +
		`(?:\+(?:[0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?`
)

var (
	refTagRE = regexp.MustCompile(`^(?P<artifact>(?:` + refDir + `=)?` + refName + `)` +
		`(?:(?:#(?P<stage>` + refName + `)|@(?P<version>v` + refSemver + `))(?P<cancel>!?)` +
		`|@(?:(?P<deprecated>deprecated)|(?P<created>created)))` +
		`(?:#(?P<counter>[0-9]+))?$`)
	refFullnameRE = regexp.MustCompile(`^(?:` + refDir + `:)?` + refName + `$`)
	refShortcutRE = regexp.MustCompile(`^(?:` + refDir + `:)?` + refName +
		`(?:#` + refName + `|@(?:latest|greatest|v` + refSemver + `))$`)
)

// referenceParse decomposes s with the reference grammar, plus the two rules Parse adds
// on top of it: the name must be a valid git tag name and the counter must fit an int.
func referenceParse(s string) (Tag, bool) {
	m := refTagRE.FindStringSubmatch(s)
	if m == nil || refProblem(s) != "" || zeroCounterInvalid(s) {
		return Tag{}, false
	}
	group := func(name string) string { return m[refTagRE.SubexpIndex(name)] }
	t := Tag{Artifact: ArtifactFromTag(group("artifact")), Stage: group("stage"), Version: group("version")}
	if c := group("counter"); c != "" {
		n, err := strconv.Atoi(c)
		if err != nil {
			return Tag{}, false
		}
		t.Counter = n
	}
	cancel := group("cancel") == "!"
	switch {
	case group("deprecated") != "":
		t.Action = ActionDeprecate
	case group("created") != "":
		t.Action = ActionCreate
	case t.Stage != "" && cancel:
		t.Action = ActionUnassign
	case t.Stage != "":
		t.Action = ActionAssign
	case cancel:
		t.Action = ActionDeregister
	default:
		t.Action = ActionRegister
	}
	return t, true
}

// zeroCounterInvalid mirrors Parse's rule: a "#0" counter formats as no
// counter, so the name without it must be a valid ref as well.
func zeroCounterInvalid(s string) bool {
	i := strings.LastIndexByte(s, '#')
	if i < 0 || strings.IndexAny(s, "@#") == i {
		return false
	}
	n, err := strconv.Atoi(s[i+1:])
	return err == nil && n == 0 && refProblem(s[:i]) != ""
}

var tagSeeds = []string{
	"model@v1.0.0", "path@v1.2.3#5", "model@v1.0.0!", "model@v0.0.1!#2", "model#prod",
	"model#prod#1", "model#prod!#2", "model@deprecated#3", "model@created",
	"dir/sub=model#Prod#1", "namespace/model#team/prod-2#1", "model#prod#007",
	"m@v1.2.3-rc.1+b.lock#1", "m@v1.0.0+b.lock", "a//b@v1.0.0", ".x=m@v1.0.0",
	"v1.0.0", "model@v3", "model#prod#x", "Model@V1.0.0", "###", "x.lock/y=m#s",
	"model#prod#99999999999999999999", "-x=m@deprecated", "m@v1.0.0-0.3.7!#12",
}

func FuzzParse(f *testing.F) {
	for _, s := range tagSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := Parse(s)
		want, wantOK := referenceParse(s)
		if ok != wantOK || got != want {
			t.Fatalf("Parse(%q) = %+v, %v; reference grammar gives %+v, %v", s, got, ok, want, wantOK)
		}
		if !ok {
			return
		}
		formatted, err := Format(got)
		if err != nil {
			// Tags already in a repository are read whatever their length;
			// gto only refuses to write names longer than MaxNameLength.
			if len(got.Artifact) > MaxNameLength || len(got.Stage) > MaxNameLength {
				var ne *NameError
				if !errors.As(err, &ne) || !strings.Contains(ne.Reason, "bytes long") {
					t.Fatalf("Format(Parse(%q)): %v, want the length error", s, err)
				}
				return
			}
			t.Fatalf("Format(Parse(%q) = %+v): %v", s, got, err)
		}
		again, ok := Parse(formatted)
		if !ok || again != got {
			t.Fatalf("Parse(Format(%+v) = %q) = %+v, %v", got, formatted, again, ok)
		}
	})
}

func FuzzFormatParse(f *testing.F) {
	f.Add("model", int(ActionRegister), "v1.0.0", "", 0)
	f.Add("dir/sub:model", int(ActionAssign), "", "team/prod-2", 3)
	f.Add("m", int(ActionUnassign), "", "prod", 12)
	f.Add("m", int(ActionDeregister), "v1.2.3-rc.1+b.lock", "", 0)
	f.Add("m", int(ActionDeprecate), "", "", 9)
	f.Add("x.:m", int(ActionCreate), "", "", 0)
	f.Add("a//b", int(ActionRegister), "v1.0.0", "", 1)
	f.Add("m", int(ActionAssign), "v1.0.0", "prod", -1)
	f.Fuzz(func(t *testing.T, artifact string, action int, version, stage string, counter int) {
		tag := Tag{Artifact: artifact, Action: Action(action), Version: version, Stage: stage, Counter: counter}
		s, err := Format(tag)
		if err != nil {
			return
		}
		got, ok := Parse(s)
		if !ok || got != tag {
			t.Fatalf("Parse(Format(%+v) = %q) = %+v, %v", tag, s, got, ok)
		}
		if !refTagRE.MatchString(s) {
			t.Fatalf("Format(%+v) = %q is outside the reference grammar", tag, s)
		}
	})
}

func FuzzParseShortcut(f *testing.F) {
	for _, s := range []string{
		"model", "dir/sub:model", "model@latest", "model@greatest", "model@v1.2.3",
		"model#prod", "d:m#team/prod-2", "model@v1", "model@foo", "###", "a//b#prod",
		"model#a#b", "@latest", "d=m",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sc, err := ParseShortcut(s)
		want := refFullnameRE.MatchString(s) || refShortcutRE.MatchString(s)
		if want {
			// On top of the grammar, the artifact and the stage must fit in a git tag name
			// and in a file name (MaxNameLength).
			artifact, selector := s, ""
			if i := strings.IndexAny(s, "@#"); i >= 0 {
				artifact, selector = s[:i], s[i:]
			}
			stage, isStage := strings.CutPrefix(selector, "#")
			want = refProblem(ArtifactToTag(artifact)) == "" && len(artifact) <= MaxNameLength &&
				(!isStage || refProblem(stage) == "" && len(stage) <= MaxNameLength)
		}
		if (err == nil) != want {
			t.Fatalf("ParseShortcut(%q) = %+v, %v; the reference grammar says valid=%v", s, sc, err, want)
		}
		if err != nil {
			return
		}
		rebuilt, selectors := sc.Artifact, 0
		if sc.Latest {
			rebuilt, selectors = rebuilt+"@latest", selectors+1
		}
		if sc.Greatest {
			rebuilt, selectors = rebuilt+"@greatest", selectors+1
		}
		if sc.Version != "" {
			rebuilt, selectors = rebuilt+"@"+sc.Version, selectors+1
		}
		if sc.Stage != "" {
			rebuilt, selectors = rebuilt+"#"+sc.Stage, selectors+1
		}
		if rebuilt != s || selectors > 1 {
			t.Fatalf("ParseShortcut(%q) = %+v does not describe its input", s, sc)
		}
	})
}
