package gitcmd

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// Signature is what `git verify-tag` found about a tag's signature.
type Signature struct {
	// Signed: the tag carries a signature; Verified: git verify-tag
	// accepts it.
	Signed, Verified bool
	// Signers are who made a signature that verifies, as gpg or
	// ssh-keygen report it: the ssh principal and the key fingerprint
	// (SHA256:...), or the GPG key fingerprint and the e-mail of the
	// user id.
	Signers []string
	// Reason is why it does not verify (see VerifyTags).
	Reason string
}

// The lines of verify-tag's output (in the C locale) that name a signer,
// compiled when a signature is first read, not at start.
var (
	// ssh-keygen: Good "git" signature for ops@example.com with ED25519 key SHA256:...
	sshGood = lazyRegexp(`^Good "git" signature (?:for (\S+) )?with \S+ key (\S+)`)
	// gpg: Good signature from "Ops <ops@example.com>" [ultimate]
	gpgGood = lazyRegexp(`^gpg: Good signature from "([^"]*)"`)
	// gpg:                using RSA key 0123456789ABCDEF0123456789ABCDEF01234567
	gpgKey = lazyRegexp(`^gpg: +using \S+ key ([0-9A-Fa-f]+)`)
	// Primary key fingerprint: 0123 4567 ...
	gpgPrimary = lazyRegexp(`^Primary key fingerprint: ([0-9A-F ]+)$`)
	// gpg:                 aka "Ops <ops@other.org>"
	gpgAka = lazyRegexp(`^gpg: +aka "([^"]*)"`)
)

// TagSignature verifies the signature of one tag (a name, or a tag object
// id: the object need not have a ref) with `git verify-tag`, which uses
// the user's configuration and keys as VerifyTags does, and reads who made
// it. One git process per tag: callers verify only the tags whose signer
// matters (doctor --verify, which does not, uses VerifyTags).
func (r *Repo) TagSignature(ctx context.Context, tag string) (Signature, error) {
	stderr := &cappedBuffer{max: stderrCap}
	_, err := r.run(ctx, call{args: []string{"verify-tag", "--end-of-options", tag}, env: []string{"LC_ALL=C", "LANGUAGE=C"}, stderr: stderr})
	if err == nil {
		return Signature{Signed: true, Verified: true, Signers: signers(stderr.String())}, nil
	}
	if ctx.Err() != nil {
		return Signature{}, ctx.Err()
	}
	e, ok := err.(*Error)
	if !ok {
		return Signature{}, err // git is missing
	}
	return Signature{Signed: !strings.Contains(e.Stderr, "no signature found"), Reason: verifyReason(e.Stderr, e.ExitCode)}, nil
}

// signers reads who made a good signature from verify-tag's output.
func signers(out string) []string {
	var ids []string
	add := func(id string) {
		if id != "" && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	email := func(uid string) {
		if i, j := strings.LastIndexByte(uid, '<'), strings.LastIndexByte(uid, '>'); i >= 0 && j > i {
			add(uid[i+1 : j])
		}
	}
	for line := range strings.Lines(out) {
		line = strings.TrimRight(line, "\r\n")
		if m := sshGood().FindStringSubmatch(line); m != nil {
			add(m[1])
			add(m[2])
		} else if m := gpgGood().FindStringSubmatch(line); m != nil {
			email(m[1])
		} else if m := gpgAka().FindStringSubmatch(line); m != nil {
			email(m[1])
		} else if m := gpgKey().FindStringSubmatch(line); m != nil {
			add(strings.ToUpper(m[1]))
		} else if m := gpgPrimary().FindStringSubmatch(line); m != nil {
			add(strings.ReplaceAll(m[1], " ", ""))
		}
	}
	return ids
}

// lazyRegexp compiles pattern on its first use.
func lazyRegexp(pattern string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(pattern) })
}
