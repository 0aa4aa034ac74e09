package memstore

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gto-dev/gto/internal/objectid"
	"github.com/gto-dev/gto/internal/store"
)

// resolve returns the commit rev names: HEAD (or @), a branch, a tag (as
// NAME or refs/tags/NAME), a commit id or a unique prefix of one (four
// hexadecimal digits at least), each optionally followed by ~N or ^; the
// caller holds r.mu.
func (r *Repo) resolve(rev string) (string, error) {
	if rev == "HEAD" || rev == "@" {
		if h := r.headCommit(); h != "" {
			return h, nil
		}
		return "", fmt.Errorf("the repository has no commits yet: %w", store.ErrNoCommits)
	}
	notFound := fmt.Errorf("ref %q was not found in the repository: %w", rev, store.ErrRefNotFound)
	base, up := rev, 0
	for {
		switch {
		case strings.HasSuffix(base, "^"):
			base, up = base[:len(base)-1], up+1
			continue
		}
		if i := strings.LastIndexByte(base, '~'); i > 0 {
			n, err := strconv.Atoi(base[i+1:])
			if err != nil || n < 0 {
				return "", notFound
			}
			base, up = base[:i], up+n
			continue
		}
		break
	}
	id := ""
	switch {
	case base == "HEAD" || base == "@":
		id = r.headCommit()
	case r.branches[strings.TrimPrefix(base, "refs/heads/")] != "":
		id = r.branches[strings.TrimPrefix(base, "refs/heads/")]
	case r.tags[strings.TrimPrefix(base, "refs/tags/")] != "":
		id = r.peel(r.tags[strings.TrimPrefix(base, "refs/tags/")])
	case r.commits[base] != nil:
		id = base
	case len(base) >= 4 && objectid.Hex(base):
		for c := range r.commits {
			if strings.HasPrefix(c, base) {
				if id != "" {
					return "", notFound // ambiguous
				}
				id = c
			}
		}
	}
	for ; id != "" && up > 0; up-- {
		id = r.commits[id].parent
	}
	if id == "" || r.commits[id] == nil {
		return "", notFound
	}
	return id, nil
}
