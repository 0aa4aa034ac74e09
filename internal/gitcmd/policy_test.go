package gitcmd

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestTagSignature(t *testing.T) {
	t.Parallel()
	g, r := newTestRepo(t)
	commit := g.Commit("init", nil)
	sshSigning(t, g)
	// A second key the allowed signers file names as ops@example.com.
	dir := t.TempDir()
	key := filepath.Join(dir, "ops")
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "ops", "-f", key).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v %s", err, out)
	}
	allowed := strings.TrimSpace(g.Git("config", "gpg.ssh.allowedSignersFile"))
	pub, _ := os.ReadFile(key + ".pub")
	old, _ := os.ReadFile(allowed)
	if err := os.WriteFile(allowed, append([]byte("ops@example.com "+string(pub)), old...), 0o644); err != nil {
		t.Fatal(err)
	}
	yes := true
	if err := r.CreateTag(t.Context(), TagRequest{Name: "any", Target: commit, Message: "m", Sign: &yes}); err != nil {
		t.Fatal(err)
	}
	g.Git("config", "user.signingKey", key)
	if err := r.CreateTag(t.Context(), TagRequest{Name: "ops", Target: commit, Message: "m", Sign: &yes}); err != nil {
		t.Fatal(err)
	}
	g.Tag("unsigned", commit, "m")

	sig, err := r.TagSignature(t.Context(), "ops")
	if err != nil {
		t.Fatal(err)
	}
	if !sig.Signed || !sig.Verified || len(sig.Signers) != 2 || sig.Signers[0] != "ops@example.com" || !strings.HasPrefix(sig.Signers[1], "SHA256:") {
		t.Errorf("TagSignature(ops) = %+v", sig)
	}
	// By object id, as for a tag object that has no ref yet.
	id := strings.TrimSpace(g.Git("rev-parse", "refs/tags/ops"))
	if byID, err := r.TagSignature(t.Context(), id); err != nil || !slices.Equal(byID.Signers, sig.Signers) {
		t.Errorf("TagSignature(%s) = %+v, %v", id, byID, err)
	}
	// The "*" principal of the other key matches any identity: ssh-keygen
	// names the key only.
	if sig, err := r.TagSignature(t.Context(), "any"); err != nil || !sig.Verified || len(sig.Signers) == 0 {
		t.Errorf("TagSignature(any) = %+v, %v", sig, err)
	}
	if sig, err := r.TagSignature(t.Context(), "unsigned"); err != nil || sig.Signed || sig.Verified || !strings.Contains(sig.Reason, "no signature") {
		t.Errorf("TagSignature(unsigned) = %+v, %v", sig, err)
	}
	g.Git("config", "--unset", "gpg.ssh.allowedSignersFile")
	if sig, err := r.TagSignature(t.Context(), "ops"); err != nil || !sig.Signed || sig.Verified || sig.Reason == "" || sig.Signers != nil {
		t.Errorf("TagSignature without trusted keys = %+v, %v", sig, err)
	}
}

// The identities of gpg's output (git verify-tag in the C locale).
func TestSignersOfGPG(t *testing.T) {
	t.Parallel()
	out := `gpg: Signature made Sat Jan  1 00:00:00 2022 UTC
gpg:                using RSA key 0123456789abcdef0123456789ABCDEF01234567
gpg: Good signature from "Ops Team <ops@example.com>" [ultimate]
gpg:                 aka "Ops <ops@other.org>"
Primary key fingerprint: AAAA BBBB CCCC DDDD EEEE  FFFF 0000 1111 2222 3333
`
	want := []string{"0123456789ABCDEF0123456789ABCDEF01234567", "ops@example.com", "ops@other.org", "AAAABBBBCCCCDDDDEEEEFFFF000011112222" + "3333"}
	if got := signers(out); !slices.Equal(got, want) {
		t.Errorf("signers = %q, want %q", got, want)
	}
	if got := signers("Good \"git\" signature with ED25519 key SHA256:abc\n"); !slices.Equal(got, []string{"SHA256:abc"}) {
		t.Errorf("signers of an ssh key without principal = %q", got)
	}
}

func TestSymbolicRef(t *testing.T) {
	t.Parallel()
	g, r := newTestRepo(t)
	ctx := t.Context()
	check := func(name, want string) {
		t.Helper()
		if got, err := r.SymbolicRef(ctx, name); err != nil || got != want {
			t.Errorf("SymbolicRef(%s) = %q, %v; want %q", name, got, err, want)
		}
	}
	check("HEAD", "refs/heads/main") // unborn
	c := g.Commit("init", nil)
	check("HEAD", "refs/heads/main")
	check("refs/remotes/origin/HEAD", "")
	g.Git("update-ref", "refs/remotes/origin/trunk", c)
	g.Git("symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/trunk")
	check("refs/remotes/origin/HEAD", "refs/remotes/origin/trunk")
	g.Git("checkout", "--quiet", "--detach")
	check("HEAD", "")
	// A linked work tree has its own HEAD and shares the refs.
	wt := filepath.Join(t.TempDir(), "wt")
	g.Git("worktree", "add", "--quiet", "-b", "feature", wt, c)
	w := openTest(t, g, wt)
	if got, err := w.SymbolicRef(ctx, "HEAD"); err != nil || got != "refs/heads/feature" {
		t.Errorf("SymbolicRef(HEAD) in a linked work tree = %q, %v", got, err)
	}
	if got, err := w.SymbolicRef(ctx, "refs/remotes/origin/HEAD"); err != nil || got != "refs/remotes/origin/trunk" {
		t.Errorf("SymbolicRef(origin/HEAD) in a linked work tree = %q, %v", got, err)
	}
}

func TestMakeTagObjectsAndReadThem(t *testing.T) {
	t.Parallel()
	g, r := newTestRepo(t)
	c := g.Commit("init", nil)
	ctx := t.Context()
	ids, err := r.MakeTagObjects(ctx, []TagRequest{{Name: "m#prod#1", Target: c, Message: "Assigning", Date: "1700000000 +0000"}})
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := r.TagExists(ctx, "m#prod#1"); ok || ids["m#prod#1"] == "" {
		t.Fatalf("MakeTagObjects = %v, and the tag exists: %v", ids, ok)
	}
	b := openBatch(t, r)
	recs, err := b.ReadTagObjects(ctx, []TagRef{{Name: "m#prod#1", Object: ids["m#prod#1"]}})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || recs[0].Tag == nil || recs[0].Tag.Object != c || recs[0].Tag.Message != "Assigning" {
		t.Fatalf("ReadTagObjects = %+v", recs)
	}
	if _, err := b.ReadTagObjects(ctx, []TagRef{{Name: "a b", Object: c}}); err == nil {
		t.Error("ReadTagObjects took a name with a blank")
	}
	if err := r.UpdateTags(ctx, []TagRequest{{Name: "m#prod#1", Object: ids["m#prod#1"]}}, nil); err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(g.Git("rev-parse", "refs/tags/m#prod#1")); got != ids["m#prod#1"] {
		t.Errorf("the ref names %s, want the object made, %s", got, ids["m#prod#1"])
	}
	if none, err := r.MakeTagObjects(ctx, nil); err != nil || len(none) != 0 {
		t.Errorf("MakeTagObjects(nil) = %v, %v", none, err)
	}
}

func TestHasRefFile(t *testing.T) {
	t.Parallel()
	g, r := newTestRepo(t)
	c := g.Commit("init", nil)
	if r.HasRefFile("refs/remotes/origin/HEAD") {
		t.Error("HasRefFile of a ref that does not exist")
	}
	g.Git("update-ref", "refs/remotes/origin/HEAD", c)
	if !r.HasRefFile("refs/remotes/origin/HEAD") {
		t.Error("HasRefFile of a loose ref")
	}
}
