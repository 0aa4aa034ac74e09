package gitcmd

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// sshSigning configures g to sign with a throw-away SSH key and to trust
// it for verification; it skips the test when ssh-keygen is missing.
func sshSigning(t *testing.T, g interface{ Git(...string) string }) {
	t.Helper()
	keygen, err := exec.LookPath("ssh-keygen")
	if err != nil {
		t.Skip("ssh-keygen not installed")
	}
	dir := t.TempDir()
	key := filepath.Join(dir, "key")
	if out, err := exec.Command(keygen, "-q", "-t", "ed25519", "-N", "", "-C", "signer", "-f", key).CombinedOutput(); err != nil {
		t.Skipf("ssh-keygen: %v %s", err, out)
	}
	pub, err := os.ReadFile(key + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	allowed := filepath.Join(dir, "allowed_signers")
	if err := os.WriteFile(allowed, []byte("* "+string(pub)), 0o644); err != nil {
		t.Fatal(err)
	}
	g.Git("config", "gpg.format", "ssh")
	g.Git("config", "user.signingKey", key)
	g.Git("config", "gpg.ssh.allowedSignersFile", allowed)
}

func TestSignedAndVerifyTags(t *testing.T) {
	t.Parallel()
	g, r, commit := committedRepo(t)
	sshSigning(t, g)
	yes := true
	for i, name := range []string{"s1", "s2", "s3", "s4", "s5"} {
		if err := r.CreateTag(t.Context(), TagRequest{Name: name, Target: commit, Message: "signed " + name, Sign: &yes}); err != nil {
			t.Fatalf("tag %d: %v", i, err)
		}
	}
	g.Tag("unsigned", commit, "not signed")
	g.LightTag("light", commit)
	// A forged tag: s3's object with another message and the same signature.
	forged := g.GitInput(strings.Replace(g.Git("cat-file", "tag", "s3"), "signed s3", "forged", 1), "mktag")
	g.Git("update-ref", "refs/tags/forged", forged)

	signed, err := r.SignedTags(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"s1": true, "s2": true, "s3": true, "s4": true, "s5": true, "forged": true, "unsigned": false}
	if len(signed) != len(want) {
		t.Errorf("SignedTags = %v, want %v", signed, want)
	}
	for k, v := range want {
		if got, ok := signed[k]; !ok || got != v {
			t.Errorf("SignedTags[%s] = %v, %v; want %v", k, got, ok, v)
		}
	}

	bad, err := r.VerifyTags(t.Context(), []string{"s1", "s2", "forged", "s3", "s4", "unsigned", "s5"})
	if err != nil {
		t.Fatal(err)
	}
	if len(bad) != 2 || bad["forged"] == "" || bad["unsigned"] == "" {
		t.Fatalf("VerifyTags = %q, want forged and unsigned", bad)
	}
	if !strings.Contains(bad["unsigned"], "no signature") {
		t.Errorf("reason for an unsigned tag: %q", bad["unsigned"])
	}
	if bad, err := r.VerifyTags(t.Context(), []string{"s1", "s5"}); err != nil || len(bad) != 0 {
		t.Errorf("good tags: %v %v", bad, err)
	}
	// Without the allowed signers, nothing verifies.
	g.Git("config", "--unset", "gpg.ssh.allowedSignersFile")
	if bad, err := r.VerifyTags(t.Context(), []string{"s1"}); err != nil || bad["s1"] == "" {
		t.Errorf("no trusted keys: %q %v", bad, err)
	}
}
