package gitcmd

import (
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/gto-dev/gto/internal/gitcmd/gittest"
)

// readTag reads the annotated tag name.
func readTag(t *testing.T, g *gittest.Repo, r *Repo, name string) TagObject {
	t.Helper()
	tags, err := openBatch(t, r).Tags([]string{g.Git("rev-parse", "refs/tags/"+name)})
	if err != nil {
		t.Fatal(err)
	}
	return tags[0]
}

func TestCreateTag(t *testing.T) {
	t.Parallel()
	g, r, commit := committedRepo(t)
	msg := "Registering artifact model version v0.0.1\n\n" + strings.Repeat("long line\n", 200_000) // 2 MB
	err := r.CreateTag(t.Context(), TagRequest{Name: "model@v0.0.1", Target: commit, Message: msg, Date: "1640998800 +0530"})
	if err != nil {
		t.Fatal(err)
	}
	tag := readTag(t, g, r, "model@v0.0.1")
	if tag.Name != "model@v0.0.1" || tag.Object != commit || tag.ObjectType != "commit" || tag.Signed {
		t.Errorf("tag: %+v", tag)
	}
	if tag.Message != strings.TrimSuffix(msg, "\n") {
		t.Errorf("message: %d bytes, want %d", len(tag.Message), len(msg)-1)
	}
	if tag.TaggerName != gittest.Name || tag.TaggerEmail != gittest.Email {
		t.Errorf("tagger %q <%q>: want git's identity from the environment", tag.TaggerName, tag.TaggerEmail)
	}
	if name, _ := tag.Time.Zone(); tag.Time.Unix() != 1640998800 || name != "+0530" {
		t.Errorf("time %v", tag.Time)
	}

	err = r.CreateTag(t.Context(), TagRequest{Name: "model@v0.0.1", Target: commit, Message: "again"})
	mustErrIs(t, err, ErrTagExists)
	if want := `tag "model@v0.0.1" already exists`; err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}
	var ge *Error
	if !errors.As(err, &ge) {
		t.Errorf("ErrTagExists does not carry git's *Error: %v", err)
	}
	// A lightweight tag of the same name exists too.
	g.LightTag("light", commit)
	mustErrIs(t, r.CreateTag(t.Context(), TagRequest{Name: "light", Target: commit}), ErrTagExists)
}

func TestCreateTagErrors(t *testing.T) {
	t.Parallel()
	g, r, commit := committedRepo(t)
	for _, req := range []TagRequest{
		{Name: "m@v1", Target: "no-such-rev"},
		{Name: "-x", Target: commit},        // never an option
		{Name: "--delete", Target: commit},  // never an option
		{Name: "bad..name", Target: commit}, // invalid ref name
	} {
		err := r.CreateTag(t.Context(), req)
		var ge *Error
		if !errors.As(err, &ge) || errors.Is(err, ErrTagExists) {
			t.Errorf("CreateTag(%+v) = %v, want a plain *Error", req, err)
		}
	}
	if out := g.Git("tag", "--list"); out != "" {
		t.Errorf("tags were created: %q", out)
	}
}

func TestCreateTagRace(t *testing.T) {
	t.Parallel()
	_, r, commit := committedRepo(t)
	const racers = 6
	for round := range 5 {
		name := fmt.Sprintf("m#prod#%d", round)
		var wg sync.WaitGroup
		errs := make([]error, racers)
		for i := range racers {
			wg.Go(func() {
				errs[i] = r.CreateTag(t.Context(), TagRequest{Name: name, Target: commit, Message: fmt.Sprint("racer ", i)})
			})
		}
		wg.Wait()
		winners := 0
		for _, err := range errs {
			switch {
			case err == nil:
				winners++
			case !errors.Is(err, ErrTagExists):
				t.Errorf("round %d: %v", round, err)
			}
		}
		if winners != 1 {
			t.Errorf("round %d: %d winners, want 1 (%v)", round, winners, errs)
		}
	}
}

func TestCreateTagSign(t *testing.T) {
	t.Parallel()
	g, r, commit := committedRepo(t)
	// Signing is configured, with a program that cannot sign: Sign false
	// must not even try, Sign nil must follow the configuration.
	g.Git("config", "tag.gpgSign", "true")
	g.Git("config", "gpg.program", "/nonexistent/gpg")
	no := false
	if err := r.CreateTag(t.Context(), TagRequest{Name: "unsigned", Target: commit, Message: "m", Sign: &no}); err != nil {
		t.Fatalf("Sign=false: %v", err)
	}
	if err := r.CreateTag(t.Context(), TagRequest{Name: "by-config", Target: commit, Message: "m"}); err == nil {
		t.Error("Sign=nil with tag.gpgSign=true and no gpg: the tag was created unsigned")
	}
}

func TestCreateTagSignedSSH(t *testing.T) {
	t.Parallel()
	keygen, err := exec.LookPath("ssh-keygen")
	if err != nil {
		t.Skip("ssh-keygen not installed")
	}
	g, r, commit := committedRepo(t)
	key := filepath.Join(t.TempDir(), "key")
	if out, err := exec.Command(keygen, "-q", "-t", "ed25519", "-N", "", "-f", key).CombinedOutput(); err != nil {
		t.Skipf("ssh-keygen: %v %s", err, out)
	}
	g.Git("config", "gpg.format", "ssh")
	g.Git("config", "user.signingKey", key)
	yes := true
	if err := r.CreateTag(t.Context(), TagRequest{Name: "signed", Target: commit, Message: "Signed message\n", Sign: &yes}); err != nil {
		t.Fatal(err)
	}
	tag := readTag(t, g, r, "signed")
	if !tag.Signed || tag.Message != "Signed message" {
		t.Errorf("signed tag: %+v", tag)
	}
	if raw := g.Git("cat-file", "tag", "signed"); !strings.Contains(raw, "-----BEGIN SSH SIGNATURE-----") {
		t.Errorf("no SSH signature in the object:\n%s", raw)
	}
}

func TestDeleteTag(t *testing.T) {
	t.Parallel()
	g, r, commit := committedRepo(t)
	g.Tag("a@v1", commit, "a")
	g.Tag("b@v1", commit, "b")
	g.LightTag("c", commit)
	g.Git("pack-refs", "--all") // deletion must also work on packed refs
	a := g.Git("rev-parse", "refs/tags/a@v1")
	b := g.Git("rev-parse", "refs/tags/b@v1")

	// A stale expectation fails and leaves the tag alone.
	err := r.DeleteTag(t.Context(), "a@v1", b)
	var ge *Error
	if !errors.As(err, &ge) || errors.Is(err, ErrRefNotFound) {
		t.Errorf("DeleteTag with the wrong object = %v, want an *Error", err)
	}
	if err := r.DeleteTag(t.Context(), "a@v1", a); err != nil {
		t.Fatal(err)
	}
	if err := r.DeleteTag(t.Context(), "c", ""); err != nil {
		t.Fatal(err)
	}
	if got := g.Git("tag", "--list"); got != "b@v1" {
		t.Errorf("tags left: %q", got)
	}
	mustErrIs(t, r.DeleteTag(t.Context(), "a@v1", a), ErrRefNotFound)
	mustErrIs(t, r.DeleteTag(t.Context(), "nope", ""), ErrRefNotFound)
	if err := r.DeleteTag(t.Context(), "nope", ""); err.Error() != `tag "nope" was not found in the repository` {
		t.Errorf("message %q", err)
	}
}

// git 2.39 creates the tag unsigned (and exits 0) when the SSH key cannot
// be loaded: CreateTag with Sign must not.
func TestCreateTagSignFailureLeavesNoTag(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("ssh-keygen"); err != nil {
		t.Skip("ssh-keygen not installed")
	}
	g, r, commit := committedRepo(t)
	g.Git("config", "gpg.format", "ssh")
	g.Git("config", "user.signingKey", filepath.Join(t.TempDir(), "missing-key"))
	yes := true
	err := r.CreateTag(t.Context(), TagRequest{Name: "m@v1.0.0", Target: commit, Message: "m", Sign: &yes})
	mustErrIs(t, err, ErrNotSigned)
	if !strings.Contains(err.Error(), `could not sign tag "m@v1.0.0": `) || !strings.Contains(err.Error(), "missing-key") {
		t.Errorf("message %q", err)
	}
	if got := g.Git("tag", "--list"); got != "" {
		t.Errorf("tags left: %q", got)
	}
}
