package gitstore

import (
	"context"
	"errors"
	"sync"

	"github.com/gto-dev/gto/internal/gitcmd"
	"github.com/gto-dev/gto/internal/store"
)

// The methods the registry's policy needs: where the default branch is,
// tag objects that have no ref (yet), and who signed a tag.

// DefaultBranch reads the symbolic refs from the git directory's files and
// asks the cat-file process whether a branch exists: no git process is
// started for it in a repository that keeps its refs in files.
func (r *reader) DefaultBranch(ctx context.Context) (string, error) {
	b, err := r.s.batch(ctx)
	if err != nil {
		return "", err
	}
	exists := func(ref string) (bool, error) {
		_, err := b.ResolveCommit(ref)
		if errors.Is(err, gitcmd.ErrRefNotFound) {
			return false, nil
		}
		return err == nil, mapError(err)
	}
	repo := r.s.repo
	head, err := repo.SymbolicRef(ctx, "HEAD")
	if err != nil {
		return "", mapError(err)
	}
	if repo.IsBare() || repo.WorkTree() == "" {
		if head != "" {
			return head, nil
		}
	} else {
		origin, err := repo.SymbolicRef(ctx, "refs/remotes/origin/HEAD")
		if err != nil {
			return "", mapError(err)
		}
		if origin != "" {
			if ok, err := exists(origin); ok || err != nil {
				return origin, err
			}
		} else if repo.HasRefFile("refs/remotes/origin/HEAD") {
			if ok, err := exists("refs/remotes/origin/HEAD"); ok || err != nil {
				return "refs/remotes/origin/HEAD", err // a ref holding a commit, not a symbolic one
			}
		}
		if head != "" {
			return head, nil
		}
	}
	for _, ref := range []string{"refs/heads/main", "refs/heads/master"} {
		if ok, err := exists(ref); ok || err != nil {
			return ref, err
		}
	}
	return "", nil
}

func (r *reader) ReadTagObjects(ctx context.Context, refs []store.Ref) ([]store.Tag, error) {
	if len(refs) == 0 {
		return nil, nil
	}
	b, err := r.s.batch(ctx)
	if err != nil {
		return nil, err
	}
	in := make([]gitcmd.TagRef, len(refs))
	for i, ref := range refs {
		in[i] = gitcmd.TagRef{Name: ref.Name, Object: ref.Object}
	}
	recs, err := b.ReadTagObjects(ctx, in)
	if err != nil {
		return nil, mapError(err)
	}
	return tagsOf(b, recs)
}

// signatureWorkers is how many git verify-tag run at once.
const signatureWorkers = 2

func (r *reader) TagSignatures(ctx context.Context, tags []string) (map[string]store.Signature, error) {
	out := make(map[string]store.Signature, len(tags))
	var mu sync.Mutex
	var firstErr error
	work := make(chan string)
	var wg sync.WaitGroup
	for range min(signatureWorkers, len(tags)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for tag := range work {
				sig, err := r.s.repo.TagSignature(ctx, tag)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				out[tag] = store.Signature{Signed: sig.Signed, Verified: sig.Verified, Signers: sig.Signers, Reason: sig.Reason}
				mu.Unlock()
			}
		}()
	}
	for _, tag := range tags {
		work <- tag
	}
	close(work)
	wg.Wait()
	if firstErr != nil {
		return nil, mapError(firstErr)
	}
	return out, nil
}

func (w *writer) MakeTags(ctx context.Context, create []store.TagRequest) ([]string, error) {
	reqs := make([]gitcmd.TagRequest, len(create))
	for i, req := range create {
		reqs[i] = gitcmd.TagRequest{Name: req.Name, Target: req.Target, Message: req.Message, Date: req.Date, Sign: req.Sign}
	}
	ids, err := w.s.repo.MakeTagObjects(ctx, reqs)
	if err != nil {
		return nil, mapError(err)
	}
	out := make([]string, len(create))
	for i, req := range create {
		out[i] = ids[req.Name]
	}
	return out, nil
}
