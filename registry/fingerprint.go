package registry

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"

	"github.com/gto-dev/gto/internal/gitcmd"
)

// Fingerprint returns a short hash of everything the registry's state is
// read from: every tag (name and object), every branch tip, HEAD, and the
// configuration in effect (.gto and GTO_* as read when the registry was
// opened). Two calls return the same string exactly when none of these
// changed, so a long-running reader (gto serve) rebuilds its views only
// when the fingerprint moves.
//
// It reads refs only, never tag or commit objects: one `git for-each-ref`
// over the tags, one over the branches and one rev-parse, whatever the
// number of tags. For a registry opened from a URL it fingerprints the
// mirror as last fetched by Open.
func (r *Registry) Fingerprint(ctx context.Context) (string, error) {
	if _, err := r.ready(ctx); err != nil { // a remote registry: its mirror up to date
		return "", err
	}
	if r.git == nil {
		return "", r.noRepoError()
	}
	h := sha256.New()
	tags, err := r.git.ListTags(ctx)
	if err != nil {
		return "", err
	}
	for _, t := range tags {
		writeFields(h, "tag", t.Name, t.Object, t.Type)
	}
	tips, err := r.git.Branches(ctx)
	if err != nil {
		return "", err
	}
	for _, tip := range tips {
		writeFields(h, "branch", tip)
	}
	head, err := r.git.Head(ctx)
	if err != nil && !errors.Is(err, gitcmd.ErrNoCommits) {
		return "", err
	}
	writeFields(h, "head", head)
	// %#v prints every field of the configuration, slices and nil included,
	// in a fixed order.
	writeFields(h, "config", fmt.Sprintf("%#v", r.cfg))
	return hex.EncodeToString(h.Sum(nil)[:12]), nil
}

// writeFields hashes fields NUL-separated, with a newline after the last:
// ref names and object ids cannot contain either.
func writeFields(h hash.Hash, fields ...string) {
	for i, f := range fields {
		if i > 0 {
			io.WriteString(h, "\x00")
		}
		io.WriteString(h, f)
	}
	io.WriteString(h, "\n")
}
