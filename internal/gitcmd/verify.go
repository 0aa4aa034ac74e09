package gitcmd

import (
	"context"
	"strconv"
	"strings"
)

// SignedTags reports, for every annotated tag under refs/tags/, whether its
// tag object carries a signature (OpenPGP, X.509 or SSH), with one `git
// for-each-ref`. Lightweight tags are not in the map. A signature is not
// checked here: that is VerifyTags.
func (r *Repo) SignedTags(ctx context.Context) (map[string]bool, error) {
	out, err := r.git(ctx, "for-each-ref",
		"--format=%(refname)%00%(objecttype)%00%(if)%(contents:signature)%(then)1%(else)0%(end)",
		"--end-of-options", "refs/tags/")
	if err != nil {
		return nil, err
	}
	signed := map[string]bool{}
	for line := range strings.Lines(string(out)) {
		fields := strings.Split(strings.TrimSuffix(line, "\n"), "\x00")
		if len(fields) != 3 || !strings.HasPrefix(fields[0], "refs/tags/") || fields[1] != "tag" {
			continue
		}
		signed[fields[0][len("refs/tags/"):]] = fields[2] == "1"
	}
	return signed, nil
}

// verifyChunk bounds the number of tags given to one `git verify-tag`.
const verifyChunk = 256

// VerifyTags checks the signature of each named tag with `git verify-tag`,
// which uses the user's configuration (gpg.program, gpg.format,
// gpg.ssh.allowedSignersFile, the GnuPG keyring), and returns the tags that
// do not verify, with git's (or gpg's) reason. Tags are checked many per
// git call: a call that fails is split in halves until the failing tags
// are found, so a registry of good signatures costs a few calls.
func (r *Repo) VerifyTags(ctx context.Context, names []string) (map[string]string, error) {
	bad := map[string]string{}
	for start := 0; start < len(names); start += verifyChunk {
		if err := r.verify(ctx, names[start:min(start+verifyChunk, len(names))], bad); err != nil {
			return nil, err
		}
	}
	return bad, nil
}

func (r *Repo) verify(ctx context.Context, names []string, bad map[string]string) error {
	if len(names) == 0 {
		return nil
	}
	_, err := r.git(ctx, append([]string{"verify-tag", "--end-of-options"}, names...)...)
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	e, ok := err.(*Error)
	if !ok {
		return err // git is missing
	}
	if len(names) == 1 {
		bad[names[0]] = verifyReason(e.Stderr, e.ExitCode)
		return nil
	}
	half := len(names) / 2
	if err := r.verify(ctx, names[:half], bad); err != nil {
		return err
	}
	return r.verify(ctx, names[half:], bad)
}

// verifyReason picks the line of verify-tag's output that says why a
// signature failed: gpg ends with the verdict ("BAD signature from ...",
// "Can't check signature: No public key"), ssh-keygen and git likewise.
func verifyReason(stderr string, code int) string {
	reason := ""
	for line := range strings.Lines(stderr) {
		line = strings.TrimSpace(line)
		for _, p := range []string{"gpg: ", "error: ", "fatal: "} {
			line = strings.TrimPrefix(line, p)
		}
		if line != "" && !strings.HasPrefix(line, "hint:") {
			reason = line
		}
	}
	if reason == "" {
		reason = "git verify-tag: exit status " + strconv.Itoa(code)
	}
	return reason
}
