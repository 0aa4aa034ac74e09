package model

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gto-dev/gto/tagname"
)

// fixture builds BuildInputs without git: tags with times, and commits.
type fixture struct {
	t    testing.TB
	in   BuildInput
	base time.Time
}

func newFixture(t testing.TB) *fixture {
	return &fixture{t: t, in: BuildInput{Commits: map[string]*CommitInfo{}}, base: time.Unix(1640995200, 0).UTC()}
}

// commit adds a commit made at minute m.
func (f *fixture) commit(hash string, m int) string {
	f.in.Commits[hash] = &CommitInfo{
		AuthorName: "Ada Author", AuthorEmail: "ada@example.com",
		CommitterName: "Tom Tagger", CommitterEmail: "tom@example.com",
		CommitterTime: f.base.Add(time.Duration(m) * time.Minute), Message: "commit " + hash + "\n",
	}
	return hash
}

// tag adds an annotated tag at minute m on commit.
func (f *fixture) tag(name, commit string, m int) {
	f.t.Helper()
	p, ok := tagname.Parse(name)
	if !ok {
		f.t.Fatalf("bad tag %q", name)
	}
	f.in.Tags = append(f.in.Tags, TagInput{
		Name: name, Parsed: p, Annotated: true, Commit: commit,
		Tagger: "Tom Tagger", TaggerEmail: "tom@example.com",
		Time: f.base.Add(time.Duration(m) * time.Minute), Message: "msg " + name,
	})
}

func (f *fixture) build() *State { return Build(f.in) }

func versionNames(vs []*Version) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.Name)
	}
	return out
}

func TestRegistrationAndLatest(t *testing.T) {
	f := newFixture(t)
	c1, c2, c3 := f.commit("c1", 0), f.commit("c2", 1), f.commit("c3", 2)
	f.tag("m@v0.1.9", c1, 10)
	f.tag("m@v0.1.13", c2, 11)
	f.tag("m@v0.1.10", c3, 12)
	a := f.build().Artifact("m")
	if got := a.LatestVersion(true).Name; got != "v0.1.13" {
		t.Fatalf("latest = %s, want v0.1.13 (SemVer, not text order)", got)
	}
	got := versionNames(a.ListVersions(VersionFilter{Sort: SortSemVer}))
	if want := []string{"v0.1.13", "v0.1.10", "v0.1.9"}; !slices.Equal(got, want) {
		t.Fatalf("versions = %v, want %v", got, want)
	}
}

func TestDeregistrationDeactivatesAndReRegistrationRevives(t *testing.T) {
	f := newFixture(t)
	c1 := f.commit("c1", 0)
	f.tag("m@v1.0.0", c1, 10)
	f.tag("m@v1.0.0!", c1, 11)
	v := f.build().Artifact("m").FindVersion("v1.0.0")
	if v.IsActive() {
		t.Fatal("a deregistered version is active")
	}
	f.tag("m@v1.0.0#3", c1, 12)
	v = f.build().Artifact("m").FindVersion("v1.0.0")
	if !v.IsActive() || len(v.Registrations) != 2 {
		t.Fatalf("re-registration: active=%v registrations=%d", v.IsActive(), len(v.Registrations))
	}
}

func TestEqualTimesApplyDeregistrationAfterRegistration(t *testing.T) {
	f := newFixture(t)
	c1 := f.commit("c1", 0)
	f.tag("m@v1.0.0", c1, 10)
	f.tag("m@v1.0.0!", c1, 10)
	if f.build().Artifact("m").FindVersion("v1.0.0").IsActive() {
		t.Fatal("with equal times the deregistration (priority 4) must apply after the registration (3)")
	}
}

func TestAssignmentAttachesToVersionRegisteredLaterAtSameCommit(t *testing.T) {
	f := newFixture(t)
	c1 := f.commit("c1", 0)
	f.tag("m#prod#1", c1, 10) // --skip-registration: no version yet
	f.tag("m@v0.3.0", c1, 20) // registered afterwards
	a := f.build().Artifact("m")
	if len(a.Versions) != 1 {
		t.Fatalf("versions = %v, want only v0.3.0", versionNames(a.Versions))
	}
	if vs := a.Versions[0].Stage("prod"); vs == nil || !vs.IsActive() {
		t.Fatal("prod should be active on v0.3.0")
	}
}

func TestStageOnUnregisteredCommitMakesOneHexshaVersion(t *testing.T) {
	f := newFixture(t)
	c1 := f.commit(strings.Repeat("a", 40), 0)
	f.tag("m#staging#1", c1, 10)
	f.tag("m#staging#2", c1, 11)
	a := f.build().Artifact("m")
	if len(a.Versions) != 1 || a.Versions[0].Name != c1 {
		t.Fatalf("versions = %v, want one named by the commit", versionNames(a.Versions))
	}
	v := a.Versions[0]
	if !v.Discovered() || v.IsRegistered() || !v.IsActive() {
		t.Fatalf("discovered=%v registered=%v active=%v", v.Discovered(), v.IsRegistered(), v.IsActive())
	}
	if a.LatestVersion(true) != nil {
		t.Fatal("an unregistered version is not the latest registered version")
	}
	if a.LatestVersion(false) != v {
		t.Fatal("with unregistered versions, the hexsha version is the latest")
	}
}

func TestUnassignmentAndReassignment(t *testing.T) {
	f := newFixture(t)
	c1 := f.commit("c1", 0)
	f.tag("m@v0.0.1", c1, 1)
	f.tag("m#prod#1", c1, 2)
	f.tag("m#prod!#2", c1, 3)
	s := f.build()
	if vs := s.Artifact("m").FindVersion("v0.0.1").Stage("prod"); vs.IsActive() {
		t.Fatal("prod should be inactive after the unassignment")
	}
	if got := s.UsedStages(); len(got) != 0 {
		t.Fatalf("used stages = %v, want none", got)
	}
	f.tag("m#prod#3", c1, 4)
	s = f.build()
	if got := s.UsedStages(); !slices.Equal(got, []string{"prod"}) {
		t.Fatalf("used stages = %v, want [prod]", got)
	}
}

func TestDeprecationAndRevival(t *testing.T) {
	f := newFixture(t)
	c1 := f.commit("c1", 0)
	f.tag("m@v0.0.1", c1, 1)
	f.tag("m@deprecated", c1, 2)
	if f.build().Artifact("m").IsActive() {
		t.Fatal("deprecated artifact is active")
	}
	f.tag("m#prod#1", c1, 3)
	if !f.build().Artifact("m").IsActive() {
		t.Fatal("an assignment after a deprecation revives the artifact")
	}
}

func TestIgnoredTags(t *testing.T) {
	f := newFixture(t)
	c1 := f.commit("c1", 0)
	f.tag("m@v0.0.1", c1, 1)
	f.tag("m@created", c1, 2)
	f.tag("m@v0.0.2", "", 3) // on a tree
	f.in.Tags = append(f.in.Tags, TagInput{Name: "m#prod#5", Parsed: tagname.Tag{Artifact: "m", Action: tagname.ActionAssign, Stage: "prod", Counter: 5}, Commit: c1})
	a := f.build().Artifact("m")
	if got := versionNames(a.Versions); !slices.Equal(got, []string{"v0.0.1"}) {
		t.Fatalf("versions = %v: @created, non-commit and lightweight tags must be ignored", got)
	}
	if got := NextCounter(f.in.Tags, "m"); got != 6 {
		t.Fatalf("next counter = %d: lightweight GTO tags count (SPEC §6)", got)
	}
}

func TestTwoVersionsAtOneCommitStayReadable(t *testing.T) {
	f := newFixture(t)
	c1 := f.commit("c1", 0)
	f.tag("nn@v1.0.0", c1, 1)
	f.tag("nn#prod#1", c1, 2)
	f.tag("nn@v1.0.0-rc.2", c1, 3)
	a := f.build().Artifact("nn")
	if vs := a.FindVersion("v1.0.0").Stage("prod"); vs == nil {
		t.Fatal("the assignment belongs to the version registered before it")
	}
	if a.FindVersion("v1.0.0-rc.2").Stage("prod") != nil {
		t.Fatal("the later version must not get the stage")
	}
}

// churn builds the user guide's churn example (README of the reference).
func churn(t testing.TB) *Artifact {
	f := newFixture(t)
	c1, c2 := f.commit("c1", 0), f.commit("c2", 1)
	f.tag("churn@v3.0.0", c1, 10)
	f.tag("churn@v3.1.0", c2, 20)
	f.tag("churn#dev#1", c1, 30)
	f.tag("churn#staging#2", c2, 40)
	f.tag("churn#prod#3", c1, 50)
	f.tag("churn#dev#4", c2, 60)
	return f.build().Artifact("churn")
}

func stagesOf(view *ArtifactView) map[string]string {
	out := map[string]string{}
	for _, row := range view.Versions {
		out[row.Version.Name] = strings.Join(row.StageNames(), ", ")
	}
	return out
}

func TestUserGuideStageViews(t *testing.T) {
	a := churn(t)
	cases := []struct {
		name string
		view StageView
		want map[string]string
	}{
		{"default", DefaultStageView, map[string]string{"v3.1.0": "dev, staging", "v3.0.0": "prod"}},
		{"--vs -1", StageView{AssignmentsPerVersion: -1, VersionsPerStage: -1}, map[string]string{"v3.1.0": "dev, staging", "v3.0.0": "dev, prod"}},
		{"--av 1 --vs -1", StageView{AssignmentsPerVersion: 1, VersionsPerStage: -1}, map[string]string{"v3.1.0": "staging", "v3.0.0": "dev"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := stagesOf(ArtifactVersions(a, tagname.Shortcut{Artifact: "churn"}, c.view))
			for v, want := range c.want {
				if got[v] != want {
					t.Errorf("%s stages = %q, want %q", v, got[v], want)
				}
			}
		})
	}
	prod := ArtifactVersions(a, tagname.Shortcut{Artifact: "churn", Stage: "prod"}, DefaultStageView)
	if len(prod.Versions) != 1 || prod.Versions[0].Version.Name != "v3.0.0" {
		t.Fatalf("churn#prod = %v", prod.Versions)
	}
	dev := ArtifactVersions(a, tagname.Shortcut{Artifact: "churn", Stage: "dev"}, StageView{AssignmentsPerVersion: -1, VersionsPerStage: 1, Sort: SortSemVer})
	if dev.Versions[0].Version.Name != "v3.1.0" {
		t.Fatalf("with --sort semver the greatest version in dev wins, got %s", dev.Versions[0].Version.Name)
	}
}

func TestHistoryOrder(t *testing.T) {
	f := newFixture(t)
	c1 := f.commit("c1", 0)
	f.tag("other@deprecated", c1, 5)
	f.tag("model@v1.0.0", c1, 1)
	f.tag("other@v0.0.1", c1, 1)
	f.tag("model#dev#1", c1, 2)
	s := f.build()
	var got []string
	for _, e := range s.History("", false) {
		got = append(got, e.Kind.String()+":"+e.Artifact)
	}
	// other is discovered first (its deprecation tag is read first), so at
	// equal times its events come after model's in newest-first order.
	want := []string{"deprecation:other", "assignment:model", "registration:model", "registration:other", "commit:model", "commit:other"}
	if !slices.Equal(got, want) {
		t.Fatalf("history = %v\nwant      %v", got, want)
	}
	asc := s.History("", true)
	if asc[0].Kind != KindCommit || asc[len(asc)-1].Kind != KindDeprecation {
		t.Fatal("ascending history must be the exact reverse")
	}
	if n := len(s.History("model", false)); n != 3 {
		t.Fatalf("history of model has %d events, want 3", n)
	}
}

func TestAnnotatedOnlyArtifact(t *testing.T) {
	f := newFixture(t)
	head := f.commit("head", 0)
	f.in.Annotated = []AnnotatedCommit{{Commit: head, Names: []string{"features"}}}
	a := f.build().Artifact("features")
	if a == nil || a.IsRegistered() || len(a.Versions) != 1 || !a.Versions[0].Discovered() {
		t.Fatalf("annotated-only artifact not discovered: %+v", a)
	}
	if a.Versions[0].CommitEvent == nil {
		t.Fatal("the discovered version has a commit event")
	}
}

// BenchmarkBuild10k builds the state of 10,000 tags: 250 artifacts with 20
// versions and 20 stage events each.
func BenchmarkBuild10k(b *testing.B) {
	f := newFixture(b)
	for a := 0; a < 250; a++ {
		for v := 0; v < 20; v++ {
			c := f.commit(fmt.Sprintf("%038x%02d", a, v), a*40+v)
			f.tag(fmt.Sprintf("model-%d@v1.%d.0", a, v), c, a*40+v)
			f.tag(fmt.Sprintf("model-%d#stage-%d#%d", a, v%4, v+1), c, a*40+v+1)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		s := Build(f.in)
		RegistryTable(s, nil, DefaultStageView)
		s.History("", false)
	}
}

// A tagger date gto cannot read leaves the tag's time unknown: doctor says
// so (bad-date), as it says a tag without tagger has none.
func TestTagProblemsBadDate(t *testing.T) {
	t.Parallel()
	tags := []TagInput{
		{Name: "m@v1.0.0", Parsed: tagname.Tag{Artifact: "m", Action: tagname.ActionRegister, Version: "v1.0.0"}, Annotated: true, Commit: "c1", Message: "x"},
		{Name: "m@v2.0.0", Parsed: tagname.Tag{Artifact: "m", Action: tagname.ActionRegister, Version: "v2.0.0"}, Annotated: true, Commit: "c1", Message: "x", NoTagger: true},
	}
	got := TagProblems(tags)
	if len(got) != 2 || got[0].Code != ProblemBadDate || got[1].Code != ProblemNoTagger {
		t.Fatalf("problems %+v", got)
	}
	if got[0].Message != `tag "m@v1.0.0" has a tagger date gto cannot read: its time is unknown (shown as none)` {
		t.Errorf("message %q", got[0].Message)
	}
}
