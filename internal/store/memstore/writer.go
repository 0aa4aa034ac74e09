package memstore

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gto-dev/gto/internal/store"
)

type writer struct{ reader }

var _ store.Writer = (*writer)(nil)

// WriteTags checks every change before it makes any: the hook is called
// for each tag to create (OpCreateTag, with its name) and once for the
// deletions (OpDeleteTags).
func (w *writer) WriteTags(ctx context.Context, create []store.TagRequest, del []string) error {
	for _, req := range create {
		if err := w.s.before(ctx, OpCreateTag, req.Name); err != nil {
			return err
		}
	}
	if len(del) > 0 {
		if err := w.s.before(ctx, OpDeleteTags, fmt.Sprintf("%d refs", len(del))); err != nil {
			return err
		}
	}
	r := w.s.repo
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, n := range del {
		if _, ok := r.tags[n]; !ok {
			return fmt.Errorf("tag %q was not found in the repository: %w", n, store.ErrRefNotFound)
		}
	}
	targets := make([]string, len(create))
	dates := make([]time.Time, len(create))
	for i, req := range create {
		if _, ok := r.tags[req.Name]; ok {
			return fmt.Errorf("tag %q already exists: %w", req.Name, store.ErrTagExists)
		}
		if req.Object != "" {
			if t := r.tagObjs[req.Object]; t == nil || t.name != req.Name {
				return fmt.Errorf("object %s is no tag object made for %q: %w", req.Object, req.Name, store.ErrObjectNotFound)
			}
			continue
		}
		var err error
		if targets[i], err = r.resolve(req.Target); err != nil {
			return err
		}
		if req.Date != "" {
			if dates[i], err = parseDate(req.Date); err != nil {
				return err
			}
		}
	}
	for _, n := range del {
		delete(r.tags, n)
	}
	for i, req := range create {
		if req.Object != "" {
			r.tags[req.Name] = req.Object
			continue
		}
		when := dates[i]
		if when.IsZero() {
			when = r.tick()
		}
		r.tags[req.Name] = r.newTagObject(req.Name, targets[i], req.Message, when, req.Sign != nil && *req.Sign).id
	}
	return nil
}

// parseDate reads a git date as TagRequest.Date gives it: "1640998800 +0000".
func parseDate(s string) (time.Time, error) {
	secs, zone, ok := strings.Cut(s, " ")
	n, err := strconv.ParseInt(secs, 10, 64)
	if !ok || err != nil || len(zone) != 5 {
		return time.Time{}, fmt.Errorf("invalid date %q", s)
	}
	hh, err1 := strconv.Atoi(zone[1:3])
	mm, err2 := strconv.Atoi(zone[3:])
	if err1 != nil || err2 != nil {
		return time.Time{}, fmt.Errorf("invalid date %q", s)
	}
	offset := hh*3600 + mm*60
	if zone[0] == '-' {
		offset = -offset
	}
	return time.Unix(n, 0).In(time.FixedZone(zone, offset)), nil
}

func (w *writer) needWorkTree() error {
	if w.s.opts.WorkTree == "" {
		return fmt.Errorf("this operation needs a work tree, and the repository has none: %w", store.ErrNoWorkTree)
	}
	return nil
}

func (w *writer) WorkTreeStatus(ctx context.Context, path string) (string, error) {
	if err := w.needWorkTree(); err != nil {
		return "", err
	}
	data, err := os.ReadFile(filepath.Join(w.s.opts.WorkTree, path))
	r := w.s.repo
	r.mu.Lock()
	defer r.mu.Unlock()
	committed, tracked := "", false
	if c := r.commits[r.headCommit()]; c != nil {
		var id string
		if id, tracked = c.files[path]; tracked {
			committed = string(r.blobs[id])
		}
	}
	switch {
	case err != nil && tracked:
		return " D", nil
	case err != nil:
		return "", nil
	case !tracked:
		return "??", nil
	case string(data) != committed:
		return " M", nil
	}
	return "", nil
}

func (w *writer) CommitPaths(ctx context.Context, message string, paths ...string) (string, error) {
	if err := w.needWorkTree(); err != nil {
		return "", err
	}
	if err := w.s.before(ctx, OpCommit, strings.Join(paths, " ")); err != nil {
		return "", err
	}
	files := map[string]string{}
	for _, p := range paths {
		data, err := os.ReadFile(filepath.Join(w.s.opts.WorkTree, p))
		if err != nil {
			return "", err
		}
		files[p] = string(data)
	}
	r := w.s.repo
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.commit(strings.TrimSuffix(message, "\n"), files, nil), nil
}

func (w *writer) CurrentBranch(ctx context.Context) (string, error) {
	r := w.s.repo
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.head, ctx.Err()
}
