package registry

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"

	"github.com/gto-dev/gto/internal/store"
)

// Fingerprint returns a short hash of everything the registry's state is
// read from: every tag (name and object), every branch tip, HEAD, and the
// configuration in effect (.gto and GTO_*). Two calls return the same
// string exactly when none of these changed, so a long-running reader (gto
// serve) rebuilds its views only when the fingerprint moves.
//
// It reads refs only, never tag or commit objects: one `git for-each-ref`
// over the tags, one over the branches and HEAD, whatever the number of
// tags. For a registry opened from a URL it fingerprints the mirror once
// it is up to date.
func (r *Registry) Fingerprint(ctx context.Context) (string, error) {
	var fp string
	err := r.view(ctx, func(s *session) error {
		h := sha256.New()
		tags, err := s.rd.Refs(ctx)
		if err != nil {
			return err
		}
		for _, t := range tags {
			writeFields(h, "tag", t.Name, t.Object, t.Type)
		}
		tips, err := s.rd.Branches(ctx)
		if err != nil {
			return err
		}
		for _, tip := range tips {
			writeFields(h, "branch", tip)
		}
		head, err := s.rd.ResolveCommit(ctx, "HEAD")
		if err != nil && !errors.Is(err, store.ErrNoCommits) {
			return err
		}
		writeFields(h, "head", head)
		// %#v prints every field of the configuration, slices and nil
		// included, in a fixed order.
		writeFields(h, "config", fmt.Sprintf("%#v", s.cfg))
		fp = hex.EncodeToString(h.Sum(nil)[:12])
		return nil
	})
	return fp, err
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
